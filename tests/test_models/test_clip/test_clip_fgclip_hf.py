"""Released FG-CLIP checkpoints (HF layout) <-> FGCLIP, with numerical parity."""
import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from fgclip_det.models.clip import load_fgclip_hf, open_clip_cfg_from_hf, save_fgclip_hf
from fgclip_det.testing import (
    FGCLIPHFReference,
    fgclip_tiny_hf_fixture,
    random_fgclip_hf_state_dict,
    tiny_fgclip_hf_config,
    write_fgclip_hf_dir,
)

TOL = dict(rtol=1e-5, atol=1e-5)
BOXES = torch.tensor([[0.13, 0.2, 0.77, 0.9], [0.0, 0.05, 0.5, 0.61]])


def assert_parity(model, reference, seed=0):
    gen = torch.Generator().manual_seed(seed)
    images = torch.randn(2, 3, 64, 64, generator=gen)
    short = model.tokenize(['a photo of a red car', 'two dogs on a striped sofa'])
    long = model.tokenize(['a long caption about a scene ' * 12, 'a dog'], long=True)
    with torch.no_grad():
        torch.testing.assert_close(model.encode_image(images), reference.image(images),
                                   **TOL)
        dense = model.encode_dense(images).flatten(2).transpose(1, 2)
        torch.testing.assert_close(dense, reference.dense(images), **TOL)
        regions = model.encode_regions(images, list(BOXES[:, None]), 'normalized')
        torch.testing.assert_close(regions, reference.regions(images, BOXES), **TOL)
        torch.testing.assert_close(model.encode_text(short), reference.text(short),
                                   **TOL)
        torch.testing.assert_close(model.encode_text(long, long=True),
                                   reference.text(long, long=True), **TOL)


@pytest.fixture(scope='module')
def hf_source():
    config = tiny_fgclip_hf_config()
    return config, random_fgclip_hf_state_dict(config, seed=7)


@pytest.mark.parametrize('weights', ['safetensors', 'bin'])
def test_convert_matches_reference_forward(tmp_path, hf_source, weights):
    config, state = hf_source
    write_fgclip_hf_dir(tmp_path, config, state, weights=weights)
    model, report = load_fgclip_hf(str(tmp_path))
    assert report.ok and not report.ignored
    assert sorted(report.consumed) == sorted(state)
    assert sorted(report.filled) == sorted(model.state_dict())
    assert_parity(model.eval(), FGCLIPHFReference(state, config))
    torch.testing.assert_close(model.logit_scale_hardneg, state['logit_scale_hardneg'])
    torch.testing.assert_close(model.logit_scale_region,
                               state['logit_scale_finegraind'])


def test_long_tables_merge_ori_and_res(tmp_path, hf_source):
    config, state = hf_source
    write_fgclip_hf_dir(tmp_path, config, state)
    model, _ = load_fgclip_hf(str(tmp_path))
    ori = state['text_model.embeddings.position_embedding_ori.weight']
    res = state['text_model.embeddings.position_embedding_res.weight']
    table = model.long_positional_embedding
    torch.testing.assert_close(table[:20], ori[:20])
    torch.testing.assert_close(table[20:], res[20:])


def test_report_lists_every_problem(tmp_path, hf_source):
    config, state = hf_source
    state = dict(state)
    state.pop('text_filip_projection.weight')
    state['text_model.embeddings.position_ids'] = torch.arange(77)[None]
    state['vision_model.extra.weight'] = torch.zeros(2)
    state['visual_projection.weight'] = torch.zeros(16, 64)
    write_fgclip_hf_dir(tmp_path, config, state)
    with pytest.raises(KeyError) as info:
        load_fgclip_hf(str(tmp_path))
    assert 'vision_model.extra.weight' in str(info.value)
    _, report = load_fgclip_hf(str(tmp_path), strict=False)
    assert report.unused == ['vision_model.extra.weight']
    assert report.ignored == ['text_model.embeddings.position_ids']
    assert report.missing == ['long_text_projection (source '
                              'text_filip_projection.weight absent)']
    assert report.mismatched == [
        'clip.visual.proj: (64, 16) from visual_projection.weight, expected (64, 32)']
    assert 'unused source keys:\n  vision_model.extra.weight' in str(report)


def test_config_reading():
    config = tiny_fgclip_hf_config()
    cfg = open_clip_cfg_from_hf(config)
    assert cfg == dict(
        embed_dim=32, quick_gelu=True,
        vision_cfg=dict(image_size=64, patch_size=16, width=64, layers=3, head_width=16,
                        mlp_ratio=4.0),
        text_cfg=dict(context_length=77, vocab_size=49408, width=64, heads=4, layers=2,
                      mlp_ratio=4.0))
    assert open_clip_cfg_from_hf(tiny_fgclip_hf_config('gelu'))['quick_gelu'] is False
    # fields omitted from config.json take transformers' CLIP defaults
    base = open_clip_cfg_from_hf({'vision_config': {'patch_size': 16}})
    assert base['vision_cfg']['width'] == 768 and base['text_cfg']['width'] == 512
    with pytest.raises(ValueError, match="'relu'"):
        open_clip_cfg_from_hf(tiny_fgclip_hf_config('relu'))


def test_gelu_variant_matches_reference(tmp_path):
    config = tiny_fgclip_hf_config('gelu')
    state = random_fgclip_hf_state_dict(config, seed=2)
    write_fgclip_hf_dir(tmp_path, config, state)
    model, _ = load_fgclip_hf(str(tmp_path))
    assert_parity(model.eval(), FGCLIPHFReference(state, config), seed=1)


def test_export_round_trip(tmp_path, hf_source):
    config, state = hf_source
    write_fgclip_hf_dir(tmp_path / 'src', config, state)
    model, _ = load_fgclip_hf(str(tmp_path / 'src'))
    report = save_fgclip_hf(model, str(tmp_path / 'out'))
    assert report.ok
    exported = load_file(str(tmp_path / 'out' / 'model.safetensors'))
    assert set(exported) == set(state)
    out_config = json.loads((tmp_path / 'out' / 'config.json').read_text())
    assert open_clip_cfg_from_hf(out_config) == open_clip_cfg_from_hf(config)
    # the exported files give the same forward in the source layout ...
    assert_parity(model.eval(), FGCLIPHFReference(exported, out_config), seed=3)
    # ... and convert back to identical weights
    again, _ = load_fgclip_hf(str(tmp_path / 'out'))
    for key, value in model.state_dict().items():
        torch.testing.assert_close(again.state_dict()[key], value, msg=key)


def load_reference(folder):
    arrays = np.load(folder / 'reference.npz')
    return {key: torch.from_numpy(value) for key, value in arrays.items()}


@pytest.fixture(scope='module')
def fixture_dir():
    folder = fgclip_tiny_hf_fixture()
    if folder is None:
        pytest.skip('shared fixture ../shared/fixtures/fgclip_tiny_hf is absent')
    return folder


def test_shared_fixture_reproduces_reference_outputs(fixture_dir):
    model, report = load_fgclip_hf(str(fixture_dir))
    assert report.ok
    ref = load_reference(fixture_dir)
    model.eval()
    with torch.no_grad():
        torch.testing.assert_close(model.encode_image(ref['img']), ref['image'], **TOL)
        dense = model.encode_dense(ref['img']).flatten(2).transpose(1, 2)
        torch.testing.assert_close(dense, ref['dense'], **TOL)
        regions = model.encode_regions(ref['img'], list(ref['boxes_norm'][:, None]),
                                       box_format='normalized')
        torch.testing.assert_close(regions, ref['regions'], **TOL)
        torch.testing.assert_close(model.encode_text(ref['ids_short']),
                                   ref['text_short'], **TOL)
        torch.testing.assert_close(model.encode_text(ref['ids_long'], long=True),
                                   ref['text_long'], **TOL)


def test_shared_fixture_token_ids(fixture_dir):
    model, _ = load_fgclip_hf(str(fixture_dir))
    texts = json.loads((fixture_dir / 'texts.json').read_text())
    ref = np.load(fixture_dir / 'reference.npz')
    short = model.tokenize(texts['short_texts'])
    long = model.tokenize(texts['long_texts'], long=True)
    np.testing.assert_array_equal(short.numpy(), ref['ids_short'])
    np.testing.assert_array_equal(long.numpy(), ref['ids_long'])


def test_reference_forward_matches_shared_fixture(fixture_dir):
    """The test-side reference forward itself reproduces the released outputs."""
    config = json.loads((fixture_dir / 'config.json').read_text())
    state = load_file(str(fixture_dir / 'model.safetensors'))
    reference = FGCLIPHFReference(state, config)
    ref = load_reference(fixture_dir)
    torch.testing.assert_close(reference.image(ref['img']), ref['image'], **TOL)
    torch.testing.assert_close(reference.dense(ref['img']), ref['dense'], **TOL)
    torch.testing.assert_close(reference.regions(ref['img'], ref['boxes_norm']),
                               ref['regions'], **TOL)
    torch.testing.assert_close(reference.text(ref['ids_long'], long=True),
                               ref['text_long'], **TOL)
