"""The shipped AdamW optimisers are torch's fused (one-kernel) AdamW, and a
fused step updates the weights as the per-parameter loop does."""
import copy
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from fgclip_det.registry import MODELS
from fgclip_det.testing import tiny_fgclip_cfg
from fgclip_det.utils import get_config_path

CONFIG_ROOT = Path(__file__).resolve().parents[2] / 'configs'
CONFIGS = sorted(str(p.relative_to(CONFIG_ROOT)) for p in CONFIG_ROOT.rglob('*.py')
                 if '_base_' not in p.parts)


@pytest.mark.parametrize('name', CONFIGS)
def test_every_adamw_is_fused(name):
    optimizer = Config.fromfile(get_config_path(name)).get(
        'optim_wrapper', {}).get('optimizer', {})
    if optimizer.get('type') == 'AdamW':
        assert optimizer.get('fused') is True, name


def test_a_fused_step_equals_the_loop():
    """One step from the same weights and gradients. (Over several steps the
    two drift apart at float rounding, which Adam's normalised update
    magnifies for near-zero gradients.)"""
    cfg = Config.fromfile(get_config_path(
        'quickstart/fgclip-stage2_vit-tiny_1xb16-12e_synthetic.py'))
    torch.manual_seed(0)
    models = [MODELS.build(tiny_fgclip_cfg()) for _ in range(2)]
    models[1].load_state_dict(models[0].state_dict())
    loop_cfg = copy.deepcopy(cfg.optim_wrapper)
    loop_cfg.optimizer.update(fused=False, foreach=False)
    wrappers = [build_optim_wrapper(m, c) for m, c in zip(
        models, (cfg.optim_wrapper, loop_cfg))]
    assert wrappers[0].optimizer.defaults['fused'] is True
    images = torch.randn(2, 3, 64, 64)
    before = {n: p.detach().clone() for n, p in models[0].named_parameters()}
    for model, wrapper in zip(models, wrappers):
        wrapper.update_params(model.encode_image(images).square().mean())
    fused, loop = (dict(m.named_parameters()) for m in models)
    for name, value in fused.items():
        torch.testing.assert_close(value, loop[name], rtol=0, atol=1e-7, msg=name)
    conv = 'clip.visual.conv1.weight'
    assert not torch.equal(fused[conv], before[conv])
    states = [w.optimizer.state for w in wrappers]
    for p_fused, p_loop in zip(fused.values(), loop.values()):
        for key in ('exp_avg', 'exp_avg_sq'):
            if p_fused in states[0]:
                torch.testing.assert_close(states[0][p_fused][key],
                                           states[1][p_loop][key])
