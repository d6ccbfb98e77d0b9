"""Options, devices, bf16 autocast and models shared by the benchmarks."""
import argparse
import contextlib
import os.path as osp
from typing import ContextManager, Literal

import torch
from mmengine.config import DictAction

from fgclip_det.models.clip import FGCLIP
from fgclip_det.models.clip.open_clip_factory import resolve_model_cfg
from fgclip_det.testing import tiny_open_clip_cfg

DeviceName = Literal['cpu', 'cuda']
DEVICES = ('cpu', 'cuda')
#: ``--model`` value of the tiny test architecture (fgclip_det.testing).
TINY_MODEL = 'tiny'


def add_input_arguments(parser: argparse.ArgumentParser, *, batch_size: int,
                        batch_help: str, size_default: str = "the model's") -> None:
    """``--image-size`` (square input side) and ``--batch-size``.

    Args:
        parser (argparse.ArgumentParser): A subcommand's parser.
        batch_size (int): Default of ``--batch-size``.
        batch_help (str): What ``--batch-size`` counts, e.g. ``'images a call'``.
        size_default (str): Where the size comes from without
            ``--image-size``. Defaults to ``"the model's"``.
    """
    parser.add_argument('--image-size', type=int,
                        help=f'square input side; defaults to {size_default}')
    parser.add_argument('--batch-size', type=int, default=batch_size,
                        help=batch_help)


def add_model_arguments(parser: argparse.ArgumentParser, *, batch_size: int,
                        batch_help: str) -> None:
    """``--model`` (what :func:`build_clip` builds), then
    :func:`add_input_arguments`."""
    parser.add_argument('--model', default='ViT-B-16',
                        help="open_clip architecture or 'tiny' (random weights)")
    add_input_arguments(parser, batch_size=batch_size, batch_help=batch_help)


def add_config_arguments(parser: argparse.ArgumentParser, *, example: str,
                         stages: str) -> None:
    """``--cfg-options`` (e.g. ``example``) and ``--breakdown`` (time each of
    ``stages`` with its FLOPs against the measured matmul peak)."""
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help=f'override config settings, e.g. {example}')
    parser.add_argument('--breakdown', action='store_true',
                        help=f'also time each stage ({stages}) with its FLOPs '
                        'against the measured matmul peak')


def resolve_device(name: DeviceName, amp: bool) -> torch.device:
    """The device to run on, after checking it and the ``--amp`` choice.

    ``amp`` (bf16 autocast) is allowed on both devices. On the CPU its speed
    depends on native bf16 support (``avx512_bf16`` / ``amx_bf16``, see
    :func:`.report.cpu_bf16_flags`), which the record states.

    Raises:
        ValueError: For an unknown name or CUDA without a CUDA device.
    """
    if name not in DEVICES:
        raise ValueError(f'device must be one of {DEVICES}, got {name!r}')
    if name == 'cuda' and not torch.cuda.is_available():
        raise ValueError('--device cuda: no CUDA device is available')
    return torch.device(name)


def autocast(device: torch.device, amp: bool) -> ContextManager:
    """bf16 autocast on ``device`` when ``amp``, else a no-op context."""
    if not amp:
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=torch.bfloat16)


def drop_pretrained(clip_cfg: dict) -> None:
    """Remove ``pretrained`` and ``checkpoint`` from a CLIP config (in place),
    so it builds with random weights.

    The architecture stays the one the weights imply: a pretrained tag that
    decides the activation (QuickGELU for OpenAI weights) sets
    ``quick_gelu`` when the config does not.
    """
    clip_cfg.pop('checkpoint', None)
    pretrained = clip_cfg.pop('pretrained', None)
    tagged = (pretrained and clip_cfg.get('model_name')
              and not osp.isfile(pretrained))
    if tagged and clip_cfg.get('quick_gelu') is None:
        resolved = resolve_model_cfg(clip_cfg['model_name'], pretrained=pretrained)
        clip_cfg['quick_gelu'] = bool(resolved.get('quick_gelu', False))


def build_clip(model: str, device: torch.device, seed: int = 0) -> FGCLIP:
    """An ``FGCLIP`` with seeded random weights, in eval mode on ``device``.

    Args:
        model (str): An open_clip architecture (``'ViT-B-16'``, ...) or
            ``'tiny'`` (the 64 px test model of :mod:`fgclip_det.testing`).
        device (torch.device): Target device.
        seed (int): Seed of the initialisation. Defaults to 0.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        if model == TINY_MODEL:
            clip = FGCLIP(model_cfg=tiny_open_clip_cfg())
        else:
            clip = FGCLIP(model)
    return clip.to(device).eval()


def model_image_size(clip: FGCLIP) -> int:
    """The input side the model was configured for."""
    size = clip.model_cfg['vision_cfg']['image_size']
    return size if isinstance(size, int) else size[0]
