"""Turn command-line choices into config changes, shared by the tools."""
import logging
import os.path as osp
from typing import Optional

import torch
from mmengine.config import Config
from mmengine.logging import print_log

_AMP_WRAPPER = 'AmpOptimWrapper'
_AMP_ONLY_KEYS = ('loss_scale', 'dtype', 'use_fsdp')


def apply_device_policy(cfg: Config) -> Config:
    """Run AMP configs in fp32 where there is no CUDA device, and say so.

    bf16/fp16 matrix products on CPUs without AMX are hundreds of times
    slower than fp32, so an ``AmpOptimWrapper`` on a CPU-only machine is
    replaced by a plain ``OptimWrapper`` with a warning instead of crawling.

    Args:
        cfg (Config): The full config; modified in place.

    Returns:
        Config: ``cfg``.
    """
    optim_wrapper = cfg.get('optim_wrapper')
    if (optim_wrapper is None or optim_wrapper.get('type') != _AMP_WRAPPER
            or torch.cuda.is_available()):
        return cfg
    print_log(
        'The config asks for mixed precision (AmpOptimWrapper) but no CUDA '
        'device is available; running in fp32 on the CPU instead (bf16 '
        'matrix products are ~400x slower here).',
        logger='current',
        level=logging.WARNING)
    optim_wrapper.type = 'OptimWrapper'
    for key in _AMP_ONLY_KEYS:
        optim_wrapper.pop(key, None)
    return cfg


def apply_train_args(cfg: Config,
                     config_path: str,
                     *,
                     work_dir: Optional[str] = None,
                     amp: bool = False,
                     auto_scale_lr: bool = False,
                     resume: Optional[str] = None) -> Config:
    """Apply ``tools/train.py``'s flags to a config, as mmdet's tool does.

    Args:
        cfg (Config): The loaded config; modified in place.
        config_path (str): Path of the config file (names the work dir).
        work_dir (str, optional): ``--work-dir``; defaults to
            ``./work_dirs/<config name>`` when the config sets none.
        amp (bool): ``--amp``: use ``AmpOptimWrapper`` with a dynamic loss
            scale (fp16) unless the config already chose AMP settings.
        auto_scale_lr (bool): ``--auto-scale-lr``: enable linear learning
            rate scaling by the actual batch size.
        resume (str, optional): ``--resume``: ``'auto'`` for the latest
            checkpoint in the work dir, or a checkpoint path.

    Returns:
        Config: ``cfg``.
    """
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(config_path))[0])
    if amp and cfg.optim_wrapper.get('type') != _AMP_WRAPPER:
        cfg.optim_wrapper.type = _AMP_WRAPPER
        cfg.optim_wrapper.loss_scale = 'dynamic'
    if auto_scale_lr:
        if 'auto_scale_lr' not in cfg or 'base_batch_size' not in cfg.auto_scale_lr:
            raise ValueError(
                '--auto-scale-lr needs `auto_scale_lr = dict(enable=..., '
                f'base_batch_size=...)` in {config_path}')
        cfg.auto_scale_lr.enable = True
    if resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif resume is not None:
        cfg.resume = True
        cfg.load_from = resume
    return apply_device_policy(cfg)
