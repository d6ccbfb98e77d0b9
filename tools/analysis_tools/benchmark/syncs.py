"""``syncs``: host-device syncs of a training step and of inference, by call site.

For a pretraining config (``FGCLIPPretrainer``) the phases are the loss
with its backward pass (encoders and the three heads) and the optimiser
step. The data preprocessor is left out: it reads only host tensors
(tokenisation, padding, box clipping) before its one transfer to the
device, and on the CPU the counter cannot tell those from device tensors.
The optimiser step shows the same limit: AdamW reads its step counters with
``.item()``, and torch keeps them on the host unless the optimiser is
``capturable`` or ``fused``. For a detector config (F-ViT) they are the
loss with its backward pass and ``predict``. Each phase runs ``--warmup``
times uncounted, then ``--runs`` times under
:class:`.host_syncs.HostSyncCounter`; the figures are
the counts of one call (the mean over the runs), split into this toolkit's
call sites (``fgclip_det/...``) and those of the libraries (mmdet,
mmengine, open_clip).
"""
import argparse
import copy
from typing import Callable, Dict, Tuple

import torch
from mmdet.testing import demo_mm_inputs
from mmengine.optim import build_optim_wrapper
from torch import nn

from fgclip_det.models.pretrain import FGCLIPPretrainer
from fgclip_det.registry import MODELS
from fgclip_det.utils.tool_cli import load_config

from .detect import benchmark_model_cfg, build_detector
from .host_syncs import HostSyncCounter
from .pretrain import (
    add_batch_arguments,
    build_pretrainer,
    optim_wrapper_cfg,
    synthetic_batch,
)
from .runtime import autocast, model_image_size

HELP = 'host-device syncs of a training step and inference, by call site'
#: Call sites of this toolkit start with this package name.
OWN_PACKAGE = 'fgclip_det/'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``syncs``."""
    add_batch_arguments(
        parser, config_help='pretraining or detector config file, or a shipped name '
        "('fgclip/xxx.py', 'fvit/xxx.py')",
        batch_size=2, batch_help='images a call', size_default="the model's / config's")


def count_syncs(fn: Callable[[], object], warmup: int, runs: int) -> dict:
    """Syncs of one call of ``fn``: the mean over ``runs`` counted calls.

    Returns:
        dict: ``total``, ``fgclip_det`` and ``libraries`` (per call), and
        ``by_call`` / ``by_site`` (summed over the runs).
    """
    for _ in range(warmup):
        fn()
    with HostSyncCounter() as counter:
        for _ in range(runs):
            fn()
    own = sum(n for site, n in counter.by_site.items()
              if site.startswith(OWN_PACKAGE))
    return dict(total=counter.total / runs, fgclip_det=own / runs,
                libraries=(counter.total - own) / runs,
                by_call=dict(counter.by_call.most_common()),
                by_site=dict(counter.by_site.most_common()))


def _loss_and_backward(model: nn.Module, data: dict) -> Callable[[], None]:
    def step():
        model.zero_grad(set_to_none=True)
        losses = model(**data, mode='loss')
        loss, _ = model.parse_losses(losses)
        loss.backward()
    return step


def pretrain_phases(cfg, args: argparse.Namespace,
                    device: torch.device) -> Dict[str, Callable[[], object]]:
    """Loss + backward and optimiser step of a pretrainer."""
    model = build_pretrainer(cfg, device)
    optim_wrapper = build_optim_wrapper(model, optim_wrapper_cfg(cfg.optim_wrapper,
                                                                 amp=False))
    batch = synthetic_batch(args, args.image_size or model_image_size(model.clip))
    data = model.data_preprocessor(copy.deepcopy(batch), True)
    return dict(loss_backward=_loss_and_backward(model, data),
                optimizer_step=optim_wrapper.step)


def detector_phases(cfg, args: argparse.Namespace,
                    device: torch.device) -> Dict[str, Callable[[], object]]:
    """Loss + backward and ``predict`` of a detector with random weights."""
    model_cfg, (height, width) = benchmark_model_cfg(cfg, args.image_size)
    num_classes = model_cfg.roi_head.bbox_head.num_classes
    model = build_detector(model_cfg, device)
    packed = demo_mm_inputs(batch_size=args.batch_size,
                            image_shapes=[(3, height, width)] * args.batch_size,
                            num_classes=num_classes, with_mask=model.with_mask)
    train_data = model.data_preprocessor(copy.deepcopy(packed), True)
    test_data = model.data_preprocessor(copy.deepcopy(packed), False)

    def loss_backward():
        model.train()
        _loss_and_backward(model, train_data)()

    def predict():
        model.eval()
        with torch.no_grad():
            model(**test_data, mode='predict')
    return dict(loss_backward=loss_backward, predict=predict)


def run(args: argparse.Namespace, device: torch.device) -> Tuple[dict, dict]:
    """Count the syncs of each phase of the config's model.

    Returns:
        tuple[dict, dict]: Settings and figures: one entry a phase (see
        :func:`count_syncs`).
    """
    cfg = load_config(args.config)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model_type = MODELS.get(cfg.model.type)
        if isinstance(model_type, type) and issubclass(model_type, FGCLIPPretrainer):
            phases = pretrain_phases(cfg, args, device)
        else:
            phases = detector_phases(cfg, args, device)
        with autocast(device, args.amp):
            figures = {name: count_syncs(fn, args.warmup, args.runs)
                       for name, fn in phases.items()}
    settings = dict(config=args.config, batch_size=args.batch_size,
                    image_size=args.image_size, model=cfg.model.type)
    return settings, figures
