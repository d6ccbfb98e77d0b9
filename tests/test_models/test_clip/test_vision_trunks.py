"""The vision-trunk adapters of every family against the towers' own code."""
import copy
import importlib.util

import pytest
import timm
import torch
import torch.nn.functional as F
from open_clip.transformer import AttentionalPooler
from timm.models.eva import Eva
from timm.models.vision_transformer import VisionTransformer
from torch import Tensor, nn

from fgclip_det.models.clip import (
    FGCLIP,
    OpenCLIPViTTrunk,
    TimmEvaTrunk,
    TimmSigLIPTrunk,
    build_vision_trunk,
    eva_value_path_block,
    value_path_block,
)
from fgclip_det.models.clip.trunks import map_head_dense
from fgclip_det.testing.tiny_towers import (
    TINY_FAMILIES,
    TINY_TOWER_SIZE,
    tiny_tower_cfg,
)

ADAPTERS = dict(openai=OpenCLIPViTTrunk, eva02=TimmEvaTrunk,
                siglip2=TimmSigLIPTrunk)


def _perturbed(model: FGCLIP) -> FGCLIP:
    """Biases, scales and layer norms away from their constant init."""
    generator = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for param in model.visual.parameters():
            param.add_(0.05 * torch.randn(param.shape, generator=generator))
    model.vision_trunk.clear_cache()
    return model.eval()


@pytest.fixture(scope='module', params=TINY_FAMILIES)
def model(request) -> FGCLIP:
    torch.manual_seed(0)
    return _perturbed(FGCLIP(model_cfg=tiny_tower_cfg(request.param)))


def _family(model: FGCLIP) -> str:
    return next(name for name, adapter in ADAPTERS.items()
                if isinstance(model.vision_trunk, adapter))


def _images(*size: int) -> Tensor:
    return torch.randn(2, 3, *size, generator=torch.Generator().manual_seed(1))


def _tower_intermediates(visual: nn.Module, images: Tensor, indices) -> list:
    """The tower's own intermediate block outputs, NCHW."""
    if isinstance(visual, (Eva, VisionTransformer)) or hasattr(visual, 'trunk'):
        return visual.trunk.forward_intermediates(
            images, indices=list(indices), intermediates_only=True)
    return visual.forward_intermediates(
        images, indices=list(indices),
        intermediates_only=True)['image_intermediates']


def test_each_family_gets_its_adapter(model):
    family = _family(model)
    assert type(model.vision_trunk) is ADAPTERS[family]
    trunk = model.vision_trunk
    assert trunk.patch_size == (16, 16)
    assert trunk.width == 64 and trunk.num_blocks == 4
    assert trunk.num_prefix_tokens == (0 if family == 'siglip2' else 1)


@torch.no_grad()
def test_pooled_equals_open_clip_encode_image(model):
    images = _images(TINY_TOWER_SIZE, TINY_TOWER_SIZE)
    expected = model.clip.encode_image(images)
    ours = model.encode_image(images)
    assert (ours - expected).abs().max() <= 1e-5


@torch.no_grad()
def test_intermediate_maps_equal_the_towers_own(model):
    images = _images(TINY_TOWER_SIZE, TINY_TOWER_SIZE)
    indices = (0, 1, 3)
    features = model.vision_trunk.features(images, indices)
    expected = _tower_intermediates(model.visual, images, indices)
    assert len(features.maps) == len(expected) == 3
    for ours, theirs in zip(features.maps, expected):
        assert ours.shape == (2, 64, 4, 4)
        assert (ours - theirs).abs().max() <= 1e-5
    assert features.pooled is None and features.dense is None


@torch.no_grad()
def test_one_pass_gives_what_separate_calls_give(model):
    images = _images(48, 96)
    features = model.vision_trunk.features(images, (-4, 2), with_pooled=True,
                                           with_dense=True)
    torch.testing.assert_close(features.pooled, model.encode_image(images))
    torch.testing.assert_close(features.dense, model.encode_dense(images))
    alone = model.vision_trunk.features(images, (0, 2)).maps
    for ours, theirs in zip(features.maps, alone):
        torch.testing.assert_close(ours, theirs)


@torch.no_grad()
def test_dense_and_regions_at_a_non_square_size(model):
    images = _images(48, 96)  # 3 x 6 patches, the tower is configured at 4 x 4
    dense = model.encode_dense(images)
    assert dense.shape == (2, model.embed_dim, 3, 6)
    if _family(model) != 'openai':  # timm's own dynamic-size forward
        trunk = model.visual.trunk
        twin = timm.create_model(
            model.model_cfg['vision_cfg']['timm_model_name'],
            num_classes=trunk.num_classes, global_pool=trunk.global_pool,
            dynamic_img_size=True).eval()
        twin.load_state_dict(trunk.state_dict())
        expected = model.visual.head(twin(images))
        torch.testing.assert_close(model.encode_image(images), expected)
    boxes = [torch.tensor([[0., 0., 96., 48.], [16., 8., 60., 40.]]),
             torch.tensor([[32., 0., 96., 32.]])]
    regions = model.encode_regions(images, boxes, normalize=True)
    assert regions.shape == (3, model.embed_dim)
    torch.testing.assert_close(regions.norm(dim=-1), torch.ones(3))
    pooled = model.pool_regions(dense, boxes, (48, 96))
    torch.testing.assert_close(F.normalize(pooled, dim=-1), regions)


def _hand_map_head(pool: nn.Module, x: Tensor, dense_path: str) -> Tensor:
    """timm's MAP head with each token as the query, written out by hand."""
    batch, num, channels = x.shape
    heads, head_dim = pool.num_heads, channels // pool.num_heads
    k_weight, v_weight = pool.kv.weight.chunk(2)
    k_bias, v_bias = pool.kv.bias.chunk(2)
    value = (x @ v_weight.T + v_bias).reshape(batch, num, heads, head_dim)
    if dense_path == 'query':
        query = (x @ pool.q.weight.T + pool.q.bias).reshape(batch, num, heads,
                                                            head_dim)
        key = (x @ k_weight.T + k_bias).reshape(batch, num, heads, head_dim)
        attn = torch.einsum('bqhd,bkhd->bhqk', query, key) * head_dim ** -0.5
        value = torch.einsum('bhqk,bkhd->bqhd', attn.softmax(-1), value)
    out = value.reshape(batch, num, channels) @ pool.proj.weight.T + pool.proj.bias
    return out + pool.mlp(pool.norm(out))


@torch.no_grad()
@pytest.mark.parametrize('dense_path', ['query', 'value'])
def test_siglip_dense_paths_by_hand(dense_path):
    torch.manual_seed(0)
    model = _perturbed(FGCLIP(model_cfg=tiny_tower_cfg('siglip2'),
                              trunk_cfg=dict(dense_path=dense_path)))
    assert model.build_cfg['trunk_cfg'] == dict(dense_path=dense_path)
    images = _images(48, 80)
    trunk = model.visual.trunk
    tokens = model.vision_trunk.features(images, (3,)).maps[0]
    x = trunk.norm(tokens.flatten(2).transpose(1, 2))
    expected = _hand_map_head(trunk.attn_pool, x, dense_path)
    dense = model.encode_dense(images)
    torch.testing.assert_close(dense.flatten(2).transpose(1, 2), expected)


@torch.no_grad()
def test_siglip_value_path_is_attention_to_self_only():
    torch.manual_seed(0)
    model = _perturbed(FGCLIP(model_cfg=tiny_tower_cfg('siglip2'),
                              trunk_cfg=dict(dense_path='value')))
    pool = model.visual.trunk.attn_pool
    x = torch.randn(1, 5, 64)
    # one query per token, each allowed to see only its own key
    pool_per_token = copy.deepcopy(pool)
    pool_per_token.pool = ''
    outputs = [pool_per_token(x[:, i:i + 1]) for i in range(5)]
    expected = torch.cat(outputs, dim=1)
    torch.testing.assert_close(map_head_dense(pool, x, 'value'), expected)


def test_siglip_text_equals_open_clip():
    torch.manual_seed(0)
    model = FGCLIP(model_cfg=tiny_tower_cfg('siglip2')).eval()
    assert not model.causal_text and model.scoring == 'sigmoid'
    tokens = model.tokenize(['a red circle', 'two small blue squares'])
    with torch.no_grad():
        torch.testing.assert_close(model.encode_text(tokens),
                                   model.clip.encode_text(tokens))
        long = model.encode_text(['a red circle'], long=True)
    assert model.tokenize('x', long=True).shape == (1, 20 + 4 * 44)
    assert long.shape == (1, model.embed_dim)


def test_match_scores_use_the_sigmoid_and_bias_where_defined():
    torch.manual_seed(0)
    queries = F.normalize(torch.randn(3, 64), dim=-1)
    keys = F.normalize(torch.randn(5, 64), dim=-1)
    siglip = FGCLIP(model_cfg=tiny_tower_cfg('siglip2'))
    with torch.no_grad():
        siglip.clip.logit_bias.fill_(-2.0)
        siglip.clip.logit_scale.fill_(1.5)
    expected = torch.sigmoid(torch.exp(torch.tensor(1.5)) * queries @ keys.T - 2.0)
    torch.testing.assert_close(siglip.match_scores(queries, keys), expected)
    clip = FGCLIP(model_cfg=tiny_tower_cfg('eva02'))
    assert clip.logit_bias is None and clip.scoring == 'cosine'
    torch.testing.assert_close(clip.match_scores(queries, keys), queries @ keys.T)


def test_hf_tokenizer_needs_transformers():
    cfg = tiny_tower_cfg('siglip2')
    cfg['text_cfg']['hf_tokenizer_name'] = 'timm/ViT-B-16-SigLIP2'
    model = FGCLIP(model_cfg=cfg)  # the image side needs no tokenizer
    assert model.encode_image(_images(64, 64)).shape == (2, 64)
    if importlib.util.find_spec('transformers') is not None:
        pytest.skip('transformers is installed: the tokenizer download is tried')
    with pytest.raises(ImportError, match="'timm/ViT-B-16-SigLIP2'.*transformers"):
        model.tokenize('a cat')


# ------------------------------------------------------------------ errors
def test_unknown_tower_lists_the_supported_families():
    with pytest.raises(ValueError, match=r'no vision trunk adapter for a Linear; '
                       r'supported families: FG-CLIP 2 NaFlex \(FGCLIP2Trunk\), '
                       r'open_clip ViT \(OpenCLIPViTTrunk\), '
                       r'timm EVA \(TimmEvaTrunk\), timm SigLIP'):
        build_vision_trunk(nn.Linear(2, 2))


def test_unsupported_parts_are_named_with_the_family():
    siglip = FGCLIP(model_cfg=tiny_tower_cfg('siglip2')).visual
    broken = copy.deepcopy(siglip)
    broken.trunk.attn_pool = None
    broken.trunk.global_pool = 'avg'
    with pytest.raises(ValueError, match="timm SigLIP tower not supported: "
                                         "global_pool='avg'"):
        build_vision_trunk(broken)
    vit = FGCLIP(model_cfg=tiny_tower_cfg('openai')).visual
    broken = copy.deepcopy(vit)
    broken.attn_pool = AttentionalPooler(32, 64, n_queries=4)
    with pytest.raises(ValueError, match='open_clip ViT tower not supported: '
                                         'attentional pooler'):
        build_vision_trunk(broken)
    with pytest.raises(ValueError, match=r'TimmEvaTrunk \(timm EVA\) does not '
                                         r'apply to a TimmModel with a '
                                         r'VisionTransformer trunk'):
        build_vision_trunk(siglip, dict(type='TimmEvaTrunk'))
    with pytest.raises(ValueError, match="dense_path of a timm SigLIP tower"):
        build_vision_trunk(siglip, dict(dense_path='mean'))
    with pytest.raises(ValueError, match="unknown vision trunk type 'Nope'"):
        build_vision_trunk(siglip, dict(type='Nope'))


def test_block_indices_are_checked_with_the_family(model):
    trunk = model.vision_trunk
    with pytest.raises(ValueError, match=f'out of range for a {trunk.family} '
                                         'tower of 4 blocks'):
        trunk.features(_images(64, 64), (0, 4))
    with pytest.raises(ValueError, match='ascending'):
        trunk.features(_images(64, 64), (2, 1))


def test_checkpoint_round_trip_keeps_the_trunk_options(tmp_path):
    torch.manual_seed(0)
    model = FGCLIP(model_cfg=tiny_tower_cfg('siglip2'),
                   trunk_cfg=dict(dense_path='value'))
    path = str(tmp_path / 'siglip.pth')
    model.save(path)
    again = FGCLIP.from_checkpoint(path)
    assert again.vision_trunk.dense_path == 'value'
    images = _images(64, 64)
    with torch.no_grad():
        torch.testing.assert_close(again.eval().encode_dense(images),
                                   model.eval().encode_dense(images))


@torch.no_grad()
def test_attention_free_last_block_feeds_the_last_map_and_the_dense_map(model):
    trunk = model.vision_trunk
    images = _images(48, 80)
    if not trunk.attention_free_last:
        with pytest.raises(ValueError, match=f'{trunk.family} towers have no '
                                             'attention-free last block'):
            trunk.features(images, (1, 3), last_block='value_path')
        return
    last = (model.visual.transformer.resblocks if _family(model) == 'openai'
            else model.visual.trunk.blocks)[-1]
    calls = []
    handle = last.register_forward_pre_hook(lambda *_: calls.append(1))
    try:
        features = trunk.features(images, (1, 3), with_dense=True,
                                  last_block='value_path')
    finally:
        handle.remove()
    assert not calls  # the block never runs with its attention
    entering = trunk.features(images, (2,)).maps[0]
    prefix = torch.zeros(2, trunk.num_prefix_tokens, 64)
    tokens = torch.cat([prefix, entering.flatten(2).transpose(1, 2)], dim=1)
    if _family(model) == 'openai':
        after = value_path_block(last, tokens)
    else:
        after = eva_value_path_block(last, tokens)
    expected = after[:, trunk.num_prefix_tokens:].transpose(1, 2).reshape(2, 64, 3, 5)
    torch.testing.assert_close(features.maps[1], expected)
    torch.testing.assert_close(features.dense, model.encode_dense(images))
    with pytest.raises(ValueError, match='image embedding needs'):
        trunk.features(images, with_pooled=True, last_block='value_path')
    with pytest.raises(ValueError, match='last_block must be one of'):
        trunk.features(images, last_block='none')


@pytest.mark.parametrize('name,adapter,width,embed_dim', [
    ('ViT-B-16', OpenCLIPViTTrunk, 768, 512),
    ('ViT-L-14-336', OpenCLIPViTTrunk, 1024, 768),
    ('EVA02-B-16', TimmEvaTrunk, 768, 512),
    ('ViT-B-16-SigLIP2', TimmSigLIPTrunk, 768, 768),
])
def test_real_size_towers_get_their_adapter_on_the_meta_device(
        name, adapter, width, embed_dim):
    with torch.device('meta'):
        model = FGCLIP(name)
        dense = model.encode_dense(torch.empty(1, 3, 224, 320))
    trunk = model.vision_trunk
    assert type(trunk) is adapter
    assert trunk.width == width and model.embed_dim == embed_dim
    patch = trunk.patch_size[0]
    assert dense.shape == (1, embed_dim, 224 // patch, 320 // patch)
