"""Devices, bf16 autocast, models and configs shared by the benchmarks."""
import contextlib
import os.path as osp
from typing import ContextManager, Literal, Optional

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from fgclip_det.models.clip import FGCLIP
from fgclip_det.testing import tiny_open_clip_cfg
from fgclip_det.utils import get_config_path

DeviceName = Literal['cpu', 'cuda']
DEVICES = ('cpu', 'cuda')
#: ``--model`` value of the tiny test architecture (fgclip_det.testing).
TINY_MODEL = 'tiny'


def resolve_device(name: DeviceName, amp: bool) -> torch.device:
    """The device to run on, after checking it and the ``--amp`` choice.

    ``amp`` (bf16 autocast) is allowed on both devices. On the CPU its speed
    depends on native bf16 support (``avx512_bf16`` / ``amx_bf16``, see
    :func:`~fgclip_det.benchmark.report.cpu_bf16_flags`), which the record
    states.

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


def load_config(config: str, cfg_options: Optional[dict] = None) -> Config:
    """Read a config file or a shipped one (``'fvit/xxx.py'``), apply a
    tool's ``--cfg-options`` (if any), set its scope."""
    path = config if osp.isfile(config) else get_config_path(config)
    cfg = Config.fromfile(path)
    if cfg_options is not None:
        cfg.merge_from_dict(cfg_options)
    init_default_scope(cfg.get('default_scope', 'fgclip_det'))
    return cfg
