"""Command-line flags map onto the config as in mmdet's tools."""
import pytest
import torch
from mmengine.config import Config

from fgclip_det.engine import apply_device_policy, apply_train_args


def _cfg(**optim_wrapper) -> Config:
    optim_wrapper.setdefault('type', 'OptimWrapper')
    optim_wrapper.setdefault('optimizer', dict(type='SGD', lr=0.1))
    return Config(dict(optim_wrapper=optim_wrapper))


@pytest.mark.skipif(torch.cuda.is_available(), reason='CPU-only behaviour')
def test_amp_falls_back_to_fp32_without_cuda():
    cfg = _cfg(type='AmpOptimWrapper', dtype='bfloat16', loss_scale='dynamic')
    apply_device_policy(cfg)
    assert cfg.optim_wrapper.type == 'OptimWrapper'
    assert 'dtype' not in cfg.optim_wrapper
    assert 'loss_scale' not in cfg.optim_wrapper
    assert cfg.optim_wrapper.optimizer.lr == 0.1


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
@pytest.mark.cuda
def test_amp_is_kept_with_cuda():
    cfg = _cfg(type='AmpOptimWrapper', dtype='bfloat16')
    apply_device_policy(cfg)
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'


def test_default_work_dir_and_resume_modes():
    cfg = apply_train_args(_cfg(), 'configs/x/my_config.py', resume='auto')
    assert cfg.work_dir == './work_dirs/my_config'
    assert cfg.resume is True and cfg.load_from is None

    cfg = apply_train_args(
        _cfg(), 'my_config.py', work_dir='/tmp/w', resume='/tmp/w/epoch_1.pth')
    assert cfg.work_dir == '/tmp/w'
    assert cfg.resume is True and cfg.load_from == '/tmp/w/epoch_1.pth'


def test_amp_flag_sets_amp_wrapper_before_device_policy():
    cfg = apply_train_args(_cfg(), 'c.py', amp=True)
    expected = 'AmpOptimWrapper' if torch.cuda.is_available() else 'OptimWrapper'
    assert cfg.optim_wrapper.type == expected


def test_auto_scale_lr_needs_base_batch_size():
    with pytest.raises(ValueError, match='base_batch_size'):
        apply_train_args(_cfg(), 'c.py', auto_scale_lr=True)
    cfg = _cfg()
    cfg.auto_scale_lr = dict(enable=False, base_batch_size=16)
    assert apply_train_args(cfg, 'c.py', auto_scale_lr=True).auto_scale_lr.enable
