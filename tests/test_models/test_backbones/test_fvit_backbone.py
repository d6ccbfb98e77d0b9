"""FViTCLIPBackbone: level shapes and strides, dense map, freezing, weights."""
import pytest
import torch
import torch.nn.functional as F

from fgclip_det.models.backbones import FViTCLIPBackbone
from fgclip_det.registry import MODELS
from fgclip_det.testing import tiny_fgclip_cfg

WIDTH, EMBED_DIM, LAYERS = 64, 32, 5  # of the tiny CLIP used here


def tiny_clip_cfg(patch_size=16):
    cfg = tiny_fgclip_cfg()
    cfg['model_cfg']['vision_cfg'].update(
        patch_size=patch_size, layers=LAYERS, image_size=4 * patch_size)
    return cfg


def build_backbone(patch_size=16, out_indices=(0, 1, 2, 4), **kwargs):
    return FViTCLIPBackbone(
        clip=tiny_clip_cfg(patch_size), out_indices=out_indices,
        norm_cfg=dict(type='BN'), **kwargs)


@pytest.mark.parametrize('patch_size,size', [
    (16, (64, 64)), (16, (96, 128)), (16, (128, 64)),
    (14, (56, 56)), (14, (84, 112)),
])
def test_levels_follow_the_patch_size(patch_size, size):
    backbone = build_backbone(patch_size).eval()
    assert backbone.strides == (patch_size / 4, patch_size / 2, patch_size,
                                patch_size * 2)
    images = torch.randn(2, 3, *size)
    levels, dense = backbone.forward_with_dense(images)
    assert len(levels) == 4
    for level, stride in zip(levels, backbone.strides):
        assert level.shape == (2, WIDTH, size[0] / stride, size[1] / stride)
    assert dense.shape == (2, EMBED_DIM, size[0] // patch_size,
                           size[1] // patch_size)
    torch.testing.assert_close(dense.norm(dim=1),
                               torch.ones(2, *dense.shape[2:]))
    for level, same in zip(backbone(images), levels):
        torch.testing.assert_close(level, same)


@pytest.mark.parametrize('patch_size,out_indices', [
    (16, (0, 1, 2, 4)),  # the last block is a level
    (14, (0, 1, 2, 3)),  # it is not: the dense map runs past the levels
])
def test_maps_and_dense_match_fgclip(patch_size, out_indices):
    backbone = build_backbone(patch_size, out_indices).eval()
    fgclip = MODELS.build(tiny_clip_cfg(patch_size)).eval()
    fgclip.visual.load_state_dict(backbone.visual.state_dict())
    for width in (4, 6):  # the configured size, then a wider input
        images = torch.randn(1, 3, 4 * patch_size, width * patch_size)
        levels, dense = backbone.forward_with_dense(images)
        if width == 4:  # open_clip's own intermediates need the configured size
            grids = fgclip.visual.forward_intermediates(
                images, indices=list(out_indices),
                intermediates_only=True)['image_intermediates']
        else:
            grids = fgclip.vision_trunk.features(images, out_indices).maps
        torch.testing.assert_close(levels[2], grids[2])  # identity level
        torch.testing.assert_close(levels[3], F.max_pool2d(grids[3], 2))
        torch.testing.assert_close(dense,
                                   fgclip.encode_dense(images, normalize=True))


def test_clip_is_frozen_and_adapters_train():
    backbone = build_backbone().train()
    assert not backbone.visual.training
    assert all(m.training for m in backbone.adapters)
    assert not any(p.requires_grad for p in backbone.visual.parameters())

    sum(level.sum() for level in backbone(torch.randn(2, 3, 64, 64))).backward()
    assert all(p.grad is None for p in backbone.visual.parameters())
    adapter_grads = [p.grad for p in backbone.adapters.parameters()]
    assert adapter_grads and all(g is not None for g in adapter_grads)


def test_position_table_is_resized_once_per_grid():
    backbone = build_backbone().eval()
    for size in (64, 96, 64):
        backbone(torch.randn(1, 3, size, size))
    assert len(backbone.vision_trunk.pos_cache._tables) == 1  # 96 px; 64 is native


@pytest.mark.parametrize('prefix', [None, 'clip.clip.visual.', 'visual.'])
def test_init_weights_loads_the_fgclip_tower(tmp_path, prefix):
    fgclip = MODELS.build(tiny_clip_cfg())
    path = str(tmp_path / 'fgclip.pth')
    if prefix is None:  # a toolkit FGCLIP checkpoint
        fgclip.save(path)
        backbone = build_backbone(clip_checkpoint=path)
    else:
        if prefix == 'visual.':  # an open_clip state dict (CLIPSelf, FineCLIP)
            state_dict = fgclip.clip.state_dict()
        else:  # an FGCLIPPretrainer training checkpoint
            state_dict = {'clip.' + key: value
                          for key, value in fgclip.state_dict().items()}
        torch.save(dict(state_dict=state_dict), path)
        backbone = build_backbone(clip_checkpoint=path,
                                  clip_checkpoint_prefix=prefix)
    backbone.init_weights()
    for key, value in fgclip.visual.state_dict().items():
        torch.testing.assert_close(backbone.visual.state_dict()[key], value)


@pytest.mark.parametrize('out_indices', [(0, 1, 2), (2, 1, 3, 4), (0, 1, 2, 5),
                                         (0, 1, 1, 2)])
def test_bad_out_indices(out_indices):
    with pytest.raises(ValueError, match='out_indices'):
        build_backbone(out_indices=out_indices)
