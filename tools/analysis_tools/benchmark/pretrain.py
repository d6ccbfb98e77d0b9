"""``pretrain``: FG-CLIP training steps/s on an in-memory FineHARD-style batch."""
import argparse
import copy
from typing import List, Tuple

import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.structures import BaseDataElement
from torch import nn

from fgclip_det.registry import MODELS
from fgclip_det.utils.tool_cli import load_config

from .flops import matmul_peak_gflops
from .pretrain_stages import step_breakdown
from .runtime import (
    add_config_arguments,
    add_input_arguments,
    autocast,
    drop_pretrained,
    model_image_size,
)
from .timing import measure, peak_memory

HELP = 'pretraining steps/s, samples/s and peak memory on a synthetic batch'
#: A word the CLIP tokenizer reads as one token.
_WORD = 'red'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``pretrain``."""
    add_batch_arguments(
        parser, config_help="pretraining config file or shipped name ('fgclip/xxx.py')",
        batch_size=8, batch_help='images a step')
    add_config_arguments(
        parser, example='model.clip.grad_checkpointing=False',
        stages='preprocess, image and text forward, loss, backward, optimiser step')


def add_batch_arguments(parser: argparse.ArgumentParser, *, config_help: str,
                        batch_size: int, batch_help: str,
                        size_default: str = "the model's") -> None:
    """The config and the options of :func:`synthetic_batch`.

    Args:
        parser (argparse.ArgumentParser): A subcommand's parser.
        config_help (str): Help of the ``config`` argument.
        batch_size (int): Default of ``--batch-size``.
        batch_help (str): What ``--batch-size`` counts.
        size_default (str): Where the image size comes from without
            ``--image-size``. Defaults to ``"the model's"``.
    """
    parser.add_argument('config', help=config_help)
    add_input_arguments(parser, batch_size=batch_size, batch_help=batch_help,
                        size_default=size_default)
    parser.add_argument('--regions', type=int, default=4, help='boxes an image')
    parser.add_argument('--negatives', type=int, default=10,
                        help='hard negatives a region')
    parser.add_argument('--long-tokens', type=int, default=248,
                        help='tokens of each long caption (with start / end)')
    parser.add_argument('--short-tokens', type=int, default=77,
                        help='tokens of each short caption (with start / end)')
    parser.add_argument('--region-tokens', type=int,
                        help='tokens of each region caption and hard negative '
                        '(with start / end); defaults to --short-tokens')


def caption(num_tokens: int) -> str:
    """A text of exactly ``num_tokens`` CLIP tokens with start and end."""
    return ' '.join([_WORD] * max(num_tokens - 2, 1))


def synthetic_batch(args: argparse.Namespace, size: int) -> dict:
    """A batch in the layout of ``PackCLIPInputs`` after ``pseudo_collate``.

    Random uint8 images, ``--regions`` random boxes an image, each with a
    caption and ``--negatives`` hard negatives; texts of fixed token counts
    (region texts: ``--region-tokens``, else ``--short-tokens``).
    """
    generator = torch.Generator().manual_seed(0)
    inputs: List[torch.Tensor] = []
    samples: List[BaseDataElement] = []
    for _ in range(args.batch_size):
        inputs.append(torch.randint(0, 256, (3, size, size), dtype=torch.uint8,
                                    generator=generator))
        wh = size * (0.1 + 0.5 * torch.rand(args.regions, 2, generator=generator))
        xy = (size - wh) * torch.rand(args.regions, 2, generator=generator)
        region_text = caption(args.region_tokens or args.short_tokens)
        samples.append(BaseDataElement(
            long_caption=caption(args.long_tokens),
            short_caption=caption(args.short_tokens),
            region_boxes=torch.cat([xy, xy + wh], dim=1),
            region_texts=[region_text] * args.regions,
            region_negatives=[[region_text] * args.negatives
                              for _ in range(args.regions)],
            has_negatives=torch.ones(args.regions, dtype=torch.bool)))
    return dict(inputs=inputs, data_samples=samples)


def build_pretrainer(cfg: Config, device: torch.device) -> nn.Module:
    """The config's pretrainer with random weights (no ``pretrained`` /
    ``checkpoint``), on ``device`` in training mode."""
    model_cfg = copy.deepcopy(cfg.model)
    drop_pretrained(model_cfg.clip)
    return MODELS.build(model_cfg).to(device).train()


def optim_wrapper_cfg(cfg: dict, amp: bool) -> dict:
    """The config's optimiser, in fp32 or (``amp``) bf16 ``AmpOptimWrapper``.

    ``AmpOptimWrapper`` runs on accelerators only; on the CPU :func:`run`
    keeps ``OptimWrapper`` and wraps the step in bf16 autocast instead (bf16
    needs no loss scaling).
    """
    cfg = copy.deepcopy(cfg)
    cfg.pop('dtype', None)
    cfg['type'] = 'AmpOptimWrapper' if amp else 'OptimWrapper'
    if amp:
        cfg['dtype'] = 'bfloat16'
    return cfg


def run(args: argparse.Namespace, device: torch.device) -> Tuple[dict, dict]:
    """Measure ``train_step``: tokenisation, forward, backward, optimiser step.

    The model is built from the config with random weights (no
    ``pretrained`` / ``checkpoint``); the optimiser, its parameter-wise
    settings and gradient clipping are the config's.

    Returns:
        tuple[dict, dict]: Settings and figures: ``step`` (see
        :meth:`Timing.summary`, with ``steps_per_s``), ``samples_per_s``
        and ``memory``; with ``--breakdown`` also ``matmul_peak_gflops_per_s``
        and ``stages`` (:func:`.pretrain_stages.step_breakdown`).
    """
    cfg = load_config(args.config, args.cfg_options)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = build_pretrainer(cfg, device)
    cpu_amp = args.amp and device.type == 'cpu'
    wrapper_cfg = optim_wrapper_cfg(cfg.optim_wrapper, args.amp and not cpu_amp)
    optim_wrapper = build_optim_wrapper(model, wrapper_cfg)
    size = args.image_size or model_image_size(model.clip)
    batch = synthetic_batch(args, size)
    with autocast(device, cpu_amp), peak_memory(device) as memory:
        timing = measure(lambda: model.train_step(batch, optim_wrapper),
                         warmup=args.warmup, runs=args.runs, device=device)
    step = timing.summary(1, 'steps_per_s')
    figures = dict(step=step, samples_per_s=args.batch_size * step['steps_per_s'],
                   memory=memory)
    if args.breakdown:
        dtype = torch.bfloat16 if args.amp else torch.float32
        figures['matmul_peak_gflops_per_s'] = matmul_peak_gflops(device, dtype)
        with autocast(device, cpu_amp):
            figures['stages'] = step_breakdown(
                model, optim_wrapper, batch, device, warmup=args.warmup,
                runs=args.runs, peak_gflops=figures['matmul_peak_gflops_per_s'])
    settings = dict(
        config=args.config, cfg_options=args.cfg_options,
        batch_size=args.batch_size, image_size=size,
        regions=args.regions, negatives=args.negatives,
        long_tokens=args.long_tokens, short_tokens=args.short_tokens,
        region_tokens=args.region_tokens or args.short_tokens,
        optim_wrapper=wrapper_cfg['type'] + (' + CPU bf16 autocast' if cpu_amp else ''),
        grad_checkpointing=bool(model.clip.visual.transformer.grad_checkpointing),
        trim_padding=bool(getattr(model.data_preprocessor, 'trim_padding', False)))
    return settings, figures
