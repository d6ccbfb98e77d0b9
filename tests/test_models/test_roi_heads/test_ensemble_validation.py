"""The F-ViT CLIP ensemble takes weights in [0, 1] and a positive temperature."""
import math

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from fgclip_det.models.roi_heads import FViTRoIHead, geometric_ensemble
from fgclip_det.registry import MODELS
from fgclip_det.utils import get_config_path

QUICKSTART = 'quickstart/fvit_vit-tiny-fgclip_fpn_1xb8-2e_synthetic.py'


@pytest.fixture(autouse=True)
def scope():
    init_default_scope('fgclip_det')


def roi_head_cfg(**kwargs) -> dict:
    """A small ensemble-free FViTRoIHead."""
    cfg = dict(
        type='FViTRoIHead',
        bbox_roi_extractor=dict(
            type='SingleRoIExtractor',
            roi_layer=dict(type='RoIAlign', output_size=7, sampling_ratio=0),
            out_channels=8, featmap_strides=[4]),
        bbox_head=dict(type='Shared2FCBBoxHead', in_channels=8,
                       fc_out_channels=16, num_classes=3,
                       reg_class_agnostic=True))
    cfg.update(kwargs)
    return cfg


@pytest.mark.parametrize('key, value', [
    ('clip_alpha', 7.5), ('clip_alpha', -0.1), ('clip_beta', 1.01),
    ('clip_beta', math.nan), ('clip_alpha', math.inf)])
def test_out_of_range_weights_are_rejected_at_build(key, value):
    with pytest.raises(ValueError, match=rf'{key} must be in \[0, 1\].*'
                       rf'got {value!r}'):
        MODELS.build(roi_head_cfg(**{key: value}))


@pytest.mark.parametrize('value', ['0.5', True, None])
def test_weights_must_be_numbers(value):
    with pytest.raises(TypeError, match=r'clip_beta must be a number in '
                       r'\[0, 1\], got'):
        FViTRoIHead(clip_beta=value)


def test_a_shipped_config_with_a_bad_alpha_does_not_build():
    cfg = Config.fromfile(get_config_path(QUICKSTART))
    cfg.model.roi_head.clip_alpha = 7.5
    with pytest.raises(ValueError, match='clip_alpha must be in .*7.5'):
        MODELS.build(cfg.model.roi_head)


def test_weights_set_later_are_checked_too():
    head = MODELS.build(roi_head_cfg(clip_alpha=0, clip_beta=1))
    assert (head.clip_alpha, head.clip_beta) == (0.0, 1.0)
    head.clip_beta = 0.4
    assert head.clip_beta == 0.4
    with pytest.raises(ValueError, match='clip_beta .* got 2'):
        head.clip_beta = 2
    assert head.clip_beta == 0.4


@pytest.mark.parametrize('value', [0, -1.0, math.inf, math.nan, True])
def test_temperature_must_be_positive(value):
    with pytest.raises(ValueError, match=f'clip_temperature .* got {value!r}'):
        FViTRoIHead(clip_temperature=value)


def test_geometric_ensemble_checks_its_weights():
    det = torch.tensor([[0.5, 0.2, 0.3]])
    clip = torch.tensor([[0.9, 0.1]])
    novel = torch.tensor([False, True])
    # 0 keeps the detector's score, 1 takes CLIP's
    out = geometric_ensemble(det, clip, novel, alpha=0, beta=1)
    torch.testing.assert_close(out, torch.tensor([[0.5, 0.1, 0.3]]))
    with pytest.raises(ValueError, match=r'beta must be in \[0, 1\].*7.5'):
        geometric_ensemble(det, clip, novel, alpha=0.1, beta=7.5)
