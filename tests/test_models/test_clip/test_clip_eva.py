"""FGCLIP on open_clip EVA towers: dense and region features."""
import copy

import pytest
import torch
import torch.nn.functional as F
from timm.models import register_model
from timm.models.eva import Eva, EvaBlockPostNorm
from torch import Tensor, nn

from fgclip_det.models.clip import FGCLIP, build_vision_trunk

#: Tiny timm ``Eva`` trunks shaped like open_clip's EVA02-B/L (separate qkv,
#: inner attention norm, SwiGLU, RoPE; layer scales added) and EVA02-E
#: (post-norm blocks, fused qkv).
EVA_TRUNKS = dict(
    fgclip_test_eva02_tiny=dict(
        qkv_fused=False, mlp_ratio=4 * 2 / 3, swiglu_mlp=True, scale_mlp=True,
        scale_attn_inner=True, use_rot_pos_emb=True, ref_feat_shape=(3, 3),
        init_values=0.5),
    fgclip_test_eva02_post_norm_tiny=dict(use_post_norm=True),
)
TRUNK_BASE = dict(img_size=64, patch_size=16, embed_dim=32, depth=2, num_heads=2)
EMBED_DIM = 16


def _entrypoint(name: str):
    def create(pretrained: bool = False, *, num_classes: int, global_pool: str,
               **_) -> Eva:  # timm's pretrained_cfg, cache_dir: unused
        return Eva(**TRUNK_BASE, **EVA_TRUNKS[name], num_classes=num_classes,
                   global_pool=global_pool)
    create.__name__ = name
    return register_model(create)


for _name in EVA_TRUNKS:
    _entrypoint(_name)


def _model_cfg(trunk: str) -> dict:
    return dict(
        embed_dim=EMBED_DIM,
        vision_cfg=dict(image_size=64, timm_model_name=trunk,
                        timm_model_pretrained=False, timm_pool='token',
                        timm_proj=None),
        text_cfg=dict(context_length=77, vocab_size=49408, width=32, heads=2,
                      layers=1),
        custom_text=True)


@pytest.fixture(scope='module', params=sorted(EVA_TRUNKS))
def model(request) -> FGCLIP:
    torch.manual_seed(0)
    model = FGCLIP(model_cfg=_model_cfg(request.param)).eval()
    with torch.no_grad():  # biases and scales away from their constant init
        for param in model.visual.parameters():
            param.add_(0.05 * torch.randn_like(param))
    return model


def _images(*size: int) -> Tensor:
    return torch.randn(2, 3, *size, generator=torch.Generator().manual_seed(1))


def _layer_norm(norm: nn.Module, x: Tensor) -> Tensor:
    return F.layer_norm(x, norm.normalized_shape, norm.weight, norm.bias, norm.eps)


def _hand_dense(visual: nn.Module, x: Tensor, grid: tuple) -> Tensor:
    """Value-path last block, final norm and head, written out by hand."""
    trunk = visual.trunk
    block = trunk.blocks[-1]
    attn = block.attn
    if attn.qkv is None:
        weight, bias = attn.v_proj.weight, attn.v_proj.bias
    else:
        weight, bias = attn.qkv.weight.chunk(3)[2], attn.v_bias

    def value(tokens: Tensor) -> Tensor:
        v = tokens @ weight.T + bias
        if not isinstance(attn.norm, nn.Identity):
            v = _layer_norm(attn.norm, v)
        return v @ attn.proj.weight.T + attn.proj.bias

    if isinstance(block, EvaBlockPostNorm):
        x = x + _layer_norm(block.norm1, value(x))
        x = x + _layer_norm(block.norm2, block.mlp(x))
    else:
        x = x + block.gamma_1 * value(_layer_norm(block.norm1, x))
        x = x + block.gamma_2 * block.mlp(_layer_norm(block.norm2, x))
    x = _layer_norm(trunk.norm, x) @ trunk.head.weight.T + trunk.head.bias
    return x[:, 1:].transpose(1, 2).reshape(x.shape[0], -1, *grid)


@torch.no_grad()
def test_native_size_dense_and_global(model):
    images = _images(64, 64)
    image, dense = model.encode_image_and_dense(images)
    assert model.patch_size == (16, 16)
    assert dense.shape == (2, EMBED_DIM, 4, 4)
    torch.testing.assert_close(image, model.encode_image(images))
    torch.testing.assert_close(dense, model.encode_dense(images))
    unit = model.encode_dense(images, normalize=True)
    torch.testing.assert_close(unit.norm(dim=1), torch.ones(2, 4, 4))


@torch.no_grad()
def test_other_size_matches_timm_dynamic_size(model):
    images = _images(96, 80)
    image, dense = model.encode_image_and_dense(images)
    assert dense.shape == (2, EMBED_DIM, 6, 5)
    name = model.model_cfg['vision_cfg']['timm_model_name']
    dynamic = Eva(**TRUNK_BASE, **EVA_TRUNKS[name], num_classes=EMBED_DIM,
                  global_pool='token', dynamic_img_size=True).eval()
    dynamic.load_state_dict(model.visual.trunk.state_dict())
    torch.testing.assert_close(image, dynamic(images))
    again = model.encode_dense(images)  # from the cached table and RoPE
    torch.testing.assert_close(again, dense)


@torch.no_grad()
@pytest.mark.parametrize('size', [(64, 64), (48, 96)])
def test_value_path_by_hand(model, size):
    inputs = []
    last = model.visual.trunk.blocks[-1]
    handle = last.register_forward_pre_hook(lambda _, args: inputs.append(args[0]))
    images = _images(*size)
    try:
        model.encode_image_and_dense(images)
    finally:
        handle.remove()
    grid = (size[0] // 16, size[1] // 16)
    expected = _hand_dense(model.visual, inputs[0], grid)
    torch.testing.assert_close(model.encode_dense(images), expected)


@torch.no_grad()
def test_regions(model):
    images = _images(64, 64)
    boxes = [torch.tensor([[0., 0., 64., 64.], [8., 16., 40., 60.]]),
             torch.tensor([[0., 0., 0.5, 0.5]]) * 64]
    regions = model.encode_regions(images, boxes, normalize=True)
    assert regions.shape == (3, EMBED_DIM)
    torch.testing.assert_close(regions.norm(dim=-1), torch.ones(3))
    whole = model.pool_regions(model.encode_dense(images), boxes, (64, 64))[0]
    torch.testing.assert_close(
        F.normalize(whole, dim=-1), regions[0])


def test_unsupported_eva_tower_raises(model):
    broken = copy.deepcopy(model.visual)
    broken.trunk.global_pool = 'avg'
    with pytest.raises(ValueError, match="timm EVA tower not supported: "
                                         "global_pool='avg'"):
        build_vision_trunk(broken)
