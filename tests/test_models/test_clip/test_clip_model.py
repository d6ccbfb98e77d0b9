"""FGCLIP: text paths, image / dense / region features, options and errors."""
import warnings

import pytest
import torch
import torch.nn.functional as F

from fgclip_det.models.clip import (
    FGCLIP,
    LOGIT_SCALE_INIT,
    LONG_CONTEXT_LENGTH,
    PosEmbedCache,
    resize_pos_embed,
    stretch_position_table,
    value_path_block,
)
from fgclip_det.models.clip.open_clip_factory import resolve_model_cfg
from fgclip_det.testing import TINY_IMAGE_SIZE, build_tiny_fgclip, tiny_fgclip_cfg


@pytest.fixture(scope='module')
def model():
    return build_tiny_fgclip()


@pytest.fixture(scope='module')
def images():
    return torch.randn(2, 3, TINY_IMAGE_SIZE, TINY_IMAGE_SIZE,
                       generator=torch.Generator().manual_seed(0))


def test_registry_build_and_logit_scales():
    from fgclip_det.registry import MODELS

    model = MODELS.build(tiny_fgclip_cfg())
    assert isinstance(model, FGCLIP)
    scales = (model.logit_scale, model.logit_scale_region, model.logit_scale_hardneg)
    for scale in scales:
        assert isinstance(scale, torch.nn.Parameter)
        assert scale.item() == pytest.approx(LOGIT_SCALE_INIT, abs=1e-6)
    names = dict(model.named_parameters())
    assert names['clip.logit_scale'] is model.logit_scale
    assert {'logit_scale_region', 'logit_scale_hardneg'} <= set(names)
    no_decay = model.no_weight_decay()
    assert no_decay <= set(names)
    assert {'clip.positional_embedding', 'long_positional_embedding',
            'clip.visual.class_embedding', 'logit_scale_hardneg'} <= no_decay
    assert model.embed_dim == 32 and model.patch_size == (16, 16)


def test_named_architectures_resolve():
    cfg = resolve_model_cfg('ViT-L-14-336')
    assert cfg['vision_cfg']['image_size'] == 336
    assert resolve_model_cfg('ViT-B-16', pretrained='openai')['quick_gelu'] is True
    assert resolve_model_cfg('ViT-B-16', pretrained='openai', quick_gelu=False)[
        'quick_gelu'] is False
    resized = resolve_model_cfg('ViT-B-16', image_size=320)
    assert resized['vision_cfg']['image_size'] == 320
    assert 'timm_model_name' in resolve_model_cfg('EVA02-B-16')['vision_cfg']


def test_unknown_architecture_and_bad_arguments():
    with pytest.raises(ValueError, match='list_models'):
        FGCLIP('ViT-Q-99')
    with pytest.raises(ValueError, match='exactly one'):
        FGCLIP()
    with pytest.raises(ValueError, match='not both'):
        FGCLIP(model_cfg=tiny_fgclip_cfg()['model_cfg'], pretrained='a', checkpoint='b')


def test_build_vit_b16():
    model = FGCLIP('ViT-B-16')
    assert model.long_positional_embedding.shape == (LONG_CONTEXT_LENGTH, 512)
    assert model.visual.grid_size == (14, 14)


def test_encode_matches_open_clip(model, images):
    tokens = model.tokenize(['a photo of a red car', 'a dog'])
    with torch.no_grad():
        torch.testing.assert_close(model.encode_image(images),
                                   model.clip.encode_image(images))
        torch.testing.assert_close(model.encode_text(tokens),
                                   model.clip.encode_text(tokens))
        normed = model.encode_text(['a photo of a red car', 'a dog'], normalize=True)
    torch.testing.assert_close(normed.norm(dim=-1), torch.ones(2))


def test_stretch_position_table_formula():
    table = torch.randn(77, 8, dtype=torch.float64)
    long = stretch_position_table(table)
    assert long.shape == (248, 8)
    torch.testing.assert_close(long[:20], table[:20])
    for i in range(56):  # interpolation between neighbours
        for k in range(4):
            expected = (4 - k) / 4 * table[20 + i] + k / 4 * table[21 + i]
            torch.testing.assert_close(long[20 + 4 * i + k], expected)
    for k in range(4):  # extrapolated tail
        expected = table[76] + k / 4 * (table[76] - table[75])
        torch.testing.assert_close(long[244 + k], expected)


def test_long_path_initialised_from_short(model):
    tokens = model.tokenize(['a red car', 'a small striped blue circle'], long=True)
    assert tokens.shape == (2, LONG_CONTEXT_LENGTH)
    torch.testing.assert_close(model.long_text_projection, model.clip.text_projection)
    with torch.no_grad():
        # texts of < 20 tokens only see positions the stretch keeps
        torch.testing.assert_close(model.encode_text(tokens, long=True),
                                   model.encode_text(tokens[:, :77]))


def test_long_path_uses_its_own_parameters(model):
    tokens = model.tokenize(['a red car ' * 20], long=True)
    model.zero_grad()
    model.encode_text(tokens, long=True).sum().backward()
    assert model.long_positional_embedding.grad[40:].abs().sum() > 0
    assert model.long_text_projection.grad.abs().sum() > 0
    assert model.clip.positional_embedding.grad is None
    assert model.clip.text_projection.grad is None
    model.zero_grad()


def test_tokenizer_truncation_warns_and_counts(model):
    texts = ['word ' * 100, 'short', 'word ' * 300]
    with pytest.warns(UserWarning, match='2 of 3 texts exceed the 77 tokens'):
        short = model.tokenize(texts)
    with pytest.warns(UserWarning, match='1 of 3 texts exceed the 248 tokens'):
        long = model.tokenize(texts, long=True)
    eot = 49407
    assert short[0, -1] == eot and short[2, -1] == eot and long[2, -1] == eot
    assert long[0, 101] == eot and (long[0, 102:] == 0).all()


def test_dense_is_value_path_of_last_block(model, images):
    visual = model.visual
    block = visual.transformer.resblocks[-1]
    x = torch.randn(2, 17, 64)
    # attention restricted to the diagonal == the value path
    only_self = torch.full((17, 17), float('-inf')).fill_diagonal_(0)
    with torch.no_grad():
        torch.testing.assert_close(value_path_block(block, x),
                                   block(x, attn_mask=only_self))
        dense = model.encode_dense(images)
        tokens = model.vision_trunk.features(images, [-2]).maps[0]
        tokens = tokens.flatten(2).transpose(1, 2)
        cls = torch.zeros(2, 1, 64)  # the class token does not reach patch tokens here
        x = value_path_block(block, torch.cat([cls, tokens], 1))
        expected = (visual.ln_post(x) @ visual.proj)[:, 1:]
    assert dense.shape == (2, 32, 4, 4)
    torch.testing.assert_close(dense.flatten(2).transpose(1, 2), expected)


def test_image_and_dense_share_one_pass(model, images):
    with torch.no_grad():
        image, dense = model.encode_image_and_dense(images, normalize=True)
        torch.testing.assert_close(image, model.encode_image(images, normalize=True))
        torch.testing.assert_close(dense, model.encode_dense(images, normalize=True))
    torch.testing.assert_close(dense.norm(dim=1), torch.ones(2, 4, 4))


def test_any_input_size_and_pos_embed_cache(model):
    images = torch.randn(1, 3, 96, 128)
    with torch.no_grad():
        dense = model.encode_dense(images)
        assert dense.shape == (1, 32, 6, 8)
        assert model.encode_image(images).shape == (1, 32)
    pos = model.visual.positional_embedding
    cache = PosEmbedCache()
    with torch.no_grad():
        first = cache(pos, (4, 4), (6, 8))
        assert cache(pos, (4, 4), (6, 8)) is first
        assert cache(pos, (4, 4), (4, 4)) is pos
        torch.testing.assert_close(first, resize_pos_embed(pos, (4, 4), (6, 8)))
        pos.add_(1.0)  # an optimiser step invalidates the cached table
        assert cache(pos, (4, 4), (6, 8)) is not first
        pos.sub_(1.0)
    assert cache(pos, (4, 4), (6, 8)).requires_grad  # grad path: never cached


def test_regions_full_box_is_mean_of_dense(model, images):
    boxes = [torch.tensor([[0.0, 0.0, 64.0, 64.0]]),
             torch.tensor([[0.0, 0.0, 1.0, 1.0]])]
    with torch.no_grad():
        dense = model.encode_dense(images)
        pixel = model.encode_regions(images, boxes[:1] * 2)
        normed = model.encode_regions(images, boxes[1:] * 2, box_format='normalized')
    torch.testing.assert_close(pixel, dense.mean(dim=(2, 3)))
    torch.testing.assert_close(normed, pixel)


def test_regions_pixel_equals_normalized_and_order(model, images):
    boxes = [torch.tensor([[3.0, 5.0, 40.0, 60.0], [10.0, 10.0, 20.0, 30.0]]),
             torch.tensor([[0.0, 16.0, 33.0, 64.0]])]
    with torch.no_grad():
        pixel = model.encode_regions(images, boxes)
        normed = model.encode_regions(images, [b / 64 for b in boxes], 'normalized')
        second = model.encode_regions(images[1:], boxes[1:])
    assert pixel.shape == (3, 32)
    torch.testing.assert_close(pixel, normed)
    torch.testing.assert_close(pixel[2:], second)
    unit = model.encode_regions(images, boxes, normalize=True)
    torch.testing.assert_close(unit, F.normalize(pixel, dim=-1))


def test_regions_clip_warn_and_empty(model, images):
    inside = [torch.tensor([[0.0, 0.0, 64.0, 30.0]]), torch.zeros(0, 4)]
    outside = [torch.tensor([[-10.0, 0.0, 80.0, 30.0]]), torch.zeros(0, 4)]
    with torch.no_grad(), pytest.warns(UserWarning, match='1 of 1 boxes'):
        clipped = model.encode_regions(images, outside)
    with torch.no_grad():
        torch.testing.assert_close(clipped, model.encode_regions(images, inside))
        empty = model.encode_regions(images, [torch.zeros(0, 4), torch.zeros(0, 4)])
    assert empty.shape == (0, 32)
    with pytest.raises(ValueError, match="'xywh'"):
        model.encode_regions(images, inside, box_format='xywh')
    with pytest.raises(ValueError, match='2 images'):
        model.encode_regions(images, inside[:1])


def test_grad_checkpointing_same_values_and_grads(images):
    tokens = torch.randint(1, 49000, (2, 77))
    results = []
    for enable in (False, True):
        model = build_tiny_fgclip(grad_checkpointing=enable).train()
        image, dense = model.encode_image_and_dense(images)
        loss = image.sum() + dense.sum() + model.encode_text(tokens, long=True).sum()
        loss.backward()
        assert model.clip.transformer.grad_checkpointing is enable
        assert model.visual.transformer.grad_checkpointing is enable
        results.append((loss.detach(), model.visual.conv1.weight.grad,
                        model.long_positional_embedding.grad))
    for plain, ckpt in zip(*results):
        torch.testing.assert_close(plain, ckpt)


def test_bf16_forward(images):
    model = build_tiny_fgclip().to(torch.bfloat16)
    boxes = [torch.tensor([[0.0, 0.0, 32.0, 32.0]])] * 2
    with torch.no_grad():
        regions = model.encode_regions(images.bfloat16(), boxes)
        text = model.encode_text(['a red car'], long=True)
    assert regions.dtype == text.dtype == torch.bfloat16
    assert torch.isfinite(regions).all() and torch.isfinite(text).all()


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a CUDA device')
def test_cuda_bf16_autocast_with_checkpointing(images):
    model = build_tiny_fgclip(grad_checkpointing=True).cuda().train()
    with torch.autocast('cuda', dtype=torch.bfloat16):
        image, dense = model.encode_image_and_dense(images.cuda())
        text = model.encode_text(['a red car'], long=True)
    (image.float().sum() + dense.float().sum() + text.float().sum()).backward()
    assert torch.isfinite(model.visual.conv1.weight.grad).all()


def test_eva02_timm_tower():
    cfg = dict(embed_dim=32, custom_text=True,
               vision_cfg=dict(image_size=224, timm_model_name='eva02_tiny_patch14_224',
                               timm_model_pretrained=False, timm_pool='token',
                               timm_proj=None),
               text_cfg=dict(context_length=77, vocab_size=49408, width=64, heads=4,
                             layers=1))
    pytest.importorskip('timm')
    model = FGCLIP(model_cfg=cfg).eval()
    images = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        assert model.encode_image(images).shape == (1, 32)
        assert model.encode_text(['a red car'], long=True).shape == (1, 32)
        assert model.encode_dense(images).shape == (1, 32, 16, 16)  # test_clip_eva


def test_local_weights_with_gelu_warn_about_quick_gelu(tmp_path):
    weights = tmp_path / 'ViT-B-16.pt'
    weights.write_bytes(b'')
    with pytest.warns(UserWarning, match="OpenAI CLIP weights need QuickGELU: "
                      "give quick_gelu=True.*'ViT-B-16-quickgelu'"):
        cfg = resolve_model_cfg('ViT-B-16', pretrained=str(weights))
    assert not cfg.get('quick_gelu')
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert resolve_model_cfg('ViT-B-16-quickgelu',
                                 pretrained=str(weights))['quick_gelu']
        assert resolve_model_cfg('ViT-B-16', pretrained=str(weights),
                                 quick_gelu=True)['quick_gelu']
        assert not resolve_model_cfg('ViT-B-16', pretrained=str(weights),
                                     quick_gelu=False)['quick_gelu']
        assert resolve_model_cfg('ViT-B-16', pretrained='openai')['quick_gelu']
