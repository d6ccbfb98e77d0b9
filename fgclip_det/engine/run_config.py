"""Turn command-line choices into config changes, shared by the tools."""
import logging
import os.path as osp
from types import SimpleNamespace
from typing import Optional

import torch
from mmdet.engine.hooks.utils import trigger_visualization_hook
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


def apply_show_args(cfg: Config,
                    *,
                    show: bool = False,
                    show_dir: Optional[str] = None,
                    wait_time: float = 2,
                    max_boxes: Optional[int] = None,
                    relative_score_thr: Optional[float] = None,
                    score_thr: Optional[float] = None) -> Config:
    """Apply ``tools/test.py``'s ``--show``/``--show-dir`` and box flags.

    With ``show`` or ``show_dir``, switches ``default_hooks.visualization``
    on as mmdet's tool does (``trigger_visualization_hook``) and makes it a
    :class:`ReadableDetVisualizationHook`, the box-selection values that are
    not None replacing the hook's, drawn by a
    :class:`~fgclip_det.visualization.ReadableDetLocalVisualizer` (the
    config's ``visualizer`` settings kept). Without either, ``cfg`` is
    unchanged.

    Args:
        cfg (Config): The loaded config; modified in place.
        show (bool): ``--show``: display each picture.
        show_dir (str, optional): ``--show-dir``: save the pictures there,
            under the run's work dir and timestamp.
        wait_time (float): ``--wait-time``: seconds each picture is shown.
        max_boxes (int, optional): ``--max-boxes``: top-k boxes an image.
        relative_score_thr (float, optional): ``--relative-score-thr``.
        score_thr (float, optional): ``--score-thr``, the absolute threshold.

    Returns:
        Config: ``cfg``.
    """
    if not (show or show_dir):
        return cfg
    cfg = trigger_visualization_hook(
        cfg, SimpleNamespace(show=show, show_dir=show_dir, wait_time=wait_time))
    hook = cfg.default_hooks.visualization
    hook.type = 'fgclip_det.ReadableDetVisualizationHook'
    given = dict(max_boxes=max_boxes, relative_score_thr=relative_score_thr,
                 score_thr=score_thr)
    hook.update({key: value for key, value in given.items() if value is not None})
    cfg.visualizer = dict(cfg.get('visualizer') or {},
                          type='fgclip_det.ReadableDetLocalVisualizer')
    return cfg
