"""An FG-CLIP pretraining step stage by stage.

Stages: ``preprocess`` (tokenisation, image normalisation), ``image_forward``
(the image tower, with the dense map when regions are pooled),
``text_forward`` (every text pass), ``loss_forward`` (the whole forward:
both towers and the heads), ``backward``, ``optimizer_step`` (with
gradient clipping) and ``train_step``, the whole call.
"""
from typing import Dict, List

import torch
from mmengine.optim import OptimWrapper
from torch import nn

from .stages import StageTarget, StageTimer, summarise


def step_targets(model: nn.Module, optim_wrapper: OptimWrapper) -> List[StageTarget]:
    """The stages of ``FGCLIPPretrainer.train_step`` as method targets."""
    clip = model.clip
    return [(model.data_preprocessor, 'forward', 'preprocess'),
            (clip, 'encode_image', 'image_forward'),
            (clip, 'encode_image_and_dense', 'image_forward'),
            (clip, 'encode_text', 'text_forward'),
            (model, 'loss', 'loss_forward'),
            (optim_wrapper, 'backward', 'backward'),
            (optim_wrapper, 'step', 'optimizer_step')]


def step_breakdown(model: nn.Module, optim_wrapper: OptimWrapper, batch: dict,
                   device: torch.device, *, warmup: int, runs: int,
                   peak_gflops: float) -> Dict[str, dict]:
    """Per-stage medians of ``train_step`` with FLOPs and GFLOP/s.

    Returns:
        dict: For each stage ``median_ms``, ``share_of_total`` (of
        ``train_step``), ``gflop``, ``gflops_per_s`` and ``fraction_of_peak``.
    """
    timers = [StageTimer(device) for _ in range(warmup + runs)]
    counter = StageTimer(device, count_flops=True)
    for timer in [*timers, counter]:
        with timer.wrapping(step_targets(model, optim_wrapper)), \
                timer.stage('train_step'):
            model.train_step(batch, optim_wrapper)
    return summarise(timers[warmup:], counter.flops, peak_gflops, 'train_step')
