"""FG-CLIP 2: the released layout converted without remote code reproduces
the public implementation's outputs (shared fixture), both ways."""
import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

from fgclip_det.datasets.transforms import NaFlexResize, naflex_collate
from fgclip_det.models.clip.fgclip2 import (
    FGCLIP2,
    arch_from_hf_config,
    load_fgclip2_hf,
    save_fgclip2_hf,
)
from fgclip_det.structures import NaFlexBatch
from fgclip_det.testing.tiny_fgclip2 import fgclip2_tiny_hf_fixture
from fgclip_det.utils.state_dict_check import CheckpointMismatchError

TOL = dict(rtol=0, atol=1e-5)


@pytest.fixture(scope='module')
def fixture_dir():
    folder = fgclip2_tiny_hf_fixture()
    if folder is None:
        pytest.skip('shared fixture ../shared/fixtures/fgclip2_tiny_hf is absent')
    return folder


@pytest.fixture(scope='module')
def reference(fixture_dir):
    ref = np.load(fixture_dir / 'reference.npz')
    return {key: torch.from_numpy(ref[key]) for key in ref.files}


@pytest.fixture(scope='module')
def facts(fixture_dir):
    return json.loads((fixture_dir / 'texts.json').read_text())


@pytest.fixture(scope='module')
def model(fixture_dir):
    model, report = load_fgclip2_hf(str(fixture_dir))
    assert report.ok is False  # only the two training-only log-scales
    assert len(report.consumed) == 121 and not report.unused
    assert [key.split()[0] for key in report.missing] == [
        'logit_scale_region', 'logit_scale_hardneg']
    return model.eval()


@pytest.fixture(scope='module')
def batch(reference, facts):
    """The stored raw images through the toolkit's own NaFlex processor."""
    processor = facts['processor']
    resize = NaFlexResize(patch_size=processor['patch_size'],
                          max_num_patches=processor['max_num_patches'])
    images = []
    for key in ('img0_raw', 'img1_raw'):
        raw = reference[key].numpy().astype(np.uint8)
        resized = resize(dict(img=raw, img_shape=raw.shape[:2]))['img']
        images.append(torch.from_numpy(resized.transpose(2, 0, 1).copy()))
    return naflex_collate(images, processor['patch_size'],
                          processor['max_num_patches'],
                          mean=processor['image_mean'], std=processor['image_std'])


def test_sizes_come_from_config_json(fixture_dir, model):
    config = json.loads((fixture_dir / 'config.json').read_text())
    assert model.arch == arch_from_hf_config(config)
    assert model.embed_dim == config['vision_config']['hidden_size']
    assert model.patch_size == (config['vision_config']['patch_size'],) * 2
    vision = config['vision_config']
    assert len(model.visual.trunk.blocks) == vision['num_hidden_layers']
    assert model.long_position_ori.shape[0] == config['text_config']['longtext_len']


def test_processor_reproduces_the_reference_patches(batch, reference):
    torch.testing.assert_close(batch.spatial_shapes, reference['spatial_shapes'])
    torch.testing.assert_close(batch.mask, reference['pixel_attention_mask'].bool())
    torch.testing.assert_close(batch.patches, reference['pixel_values'], **TOL)


def test_image_dense_and_regions(model, batch, reference):
    real = batch.mask
    with torch.no_grad():
        torch.testing.assert_close(model.encode_image(batch), reference['image'], **TOL)
        dense = model.dense_tokens(batch)
        # padding rows carry no meaning (README of the fixture)
        torch.testing.assert_close(dense[real], reference['dense'][real], **TOL)
        maps = model.encode_dense(batch)
        assert [tuple(m.shape[1:]) for m in maps] == [(4, 5), (5, 3)]
        boxes = list(reference['boxes_norm'][:, None])
        normalized = model.pool_regions(maps, boxes, [(1, 1)] * 2, 'normalized')
        torch.testing.assert_close(normalized, reference['regions'], **TOL)
        # the other path of the public code: boxes in raw-image pixels
        sizes = [tuple(reference[k].shape[:2]) for k in ('img0_raw', 'img1_raw')]
        pixels = [b * torch.tensor([w, h, w, h]) for b, (h, w) in zip(boxes, sizes)]
        from_pixels = model.encode_regions(batch, pixels, 'pixel', normalize=True,
                                           image_sizes=sizes)
        torch.testing.assert_close(from_pixels, reference['regions_normed'], **TOL)


@pytest.mark.parametrize('walk, ids, mask, key', [
    ('short', 'ids_short', 'attn_short', 'text_short'),
    ('box', 'ids_short', 'attn_short', 'text_box'),
    ('long', 'ids_long', 'attn_long', 'text_long')])
def test_text_walks_with_and_without_mask(model, reference, walk, ids, mask, key):
    with torch.no_grad():
        plain = model.encode_text(reference[ids], walk=walk)
        masked = model.encode_text(reference[ids], walk=walk,
                                   attention_mask=reference[mask])
    torch.testing.assert_close(plain, reference[key], **TOL)
    torch.testing.assert_close(masked, reference[f'{key}_am'], **TOL)


def test_logits_and_scales(model, batch, reference):
    with torch.no_grad():
        logits = model(batch, reference['ids_short'])
    torch.testing.assert_close(logits, reference['logits_per_image'], **TOL)
    torch.testing.assert_close(model.logit_scale.data, reference['logit_scale'])
    torch.testing.assert_close(model.logit_bias.data, reference['logit_bias'])
    assert model.scoring == 'sigmoid'


def test_export_reproduces_the_released_files(fixture_dir, model, tmp_path):
    report = save_fgclip2_hf(model, str(tmp_path))
    assert report.ok
    released = load_file(str(fixture_dir / 'model.safetensors'))
    exported = load_file(str(tmp_path / 'model.safetensors'))
    assert exported.keys() == released.keys()
    for key, value in released.items():
        assert torch.equal(exported[key], value), key
    config = json.loads((tmp_path / 'config.json').read_text())
    assert arch_from_hf_config(config) == model.arch


def test_tensor_input_equals_an_unpadded_naflex_batch(model):
    images = torch.randn(2, 3, 48, 80, generator=torch.Generator().manual_seed(0))
    patches = images.unfold(2, 16, 16).unfold(3, 16, 16)  # B, C, h, w, p, p
    patches = patches.permute(0, 2, 3, 4, 5, 1).reshape(2, 15, 768)
    batch = NaFlexBatch(patches, torch.tensor([[3, 5]] * 2),
                        torch.ones(2, 15, dtype=torch.bool))
    with torch.no_grad():
        torch.testing.assert_close(model.encode_image(images),
                                   model.encode_image(batch), **TOL)
        torch.testing.assert_close(model.encode_dense(images),
                                   torch.stack(model.encode_dense(batch)), **TOL)


def _copy_fixture(fixture_dir, folder, edit_weights=None, edit_config=None):
    folder.mkdir()
    weights = load_file(str(fixture_dir / 'model.safetensors'))
    config = json.loads((fixture_dir / 'config.json').read_text())
    if edit_weights:
        edit_weights(weights)
    if edit_config:
        edit_config(config)
    save_file(weights, str(folder / 'model.safetensors'))
    (folder / 'config.json').write_text(json.dumps(config))
    return str(folder)


@pytest.mark.parametrize('edit, message', [
    (lambda w: w.pop('dense_feature_head.probe'), 'visual.dense_head.latent'),
    (lambda w: w.update(extra=torch.zeros(1)), 'extra'),
    (lambda w: w.update({'longtext_head.weight': torch.zeros(64, 32)}),
     'long_text_projection.weight')])
def test_key_report_names_the_bad_key(fixture_dir, tmp_path, edit, message):
    folder = _copy_fixture(fixture_dir, tmp_path / 'bad', edit_weights=edit)
    with pytest.raises(CheckpointMismatchError, match=message):
        load_fgclip2_hf(folder)


@pytest.mark.parametrize('edit, message', [
    (lambda c: c['vision_config'].update(hidden_act='relu'), 'hidden_act'),
    (lambda c: c['vision_config'].update(num_patches=12), 'num_patches=12'),
    (lambda c: c.update(model_type='clip'), "model_type 'clip'")])
def test_bad_config_json(fixture_dir, tmp_path, edit, message):
    folder = _copy_fixture(fixture_dir, tmp_path / 'bad', edit_config=edit)
    with pytest.raises(ValueError, match=message):
        load_fgclip2_hf(folder)


def test_toolkit_checkpoint_round_trip(model, reference, tmp_path):
    path = str(tmp_path / 'fgclip2.pth')
    model.save(path)
    again = FGCLIP2.from_checkpoint(path).eval()
    with torch.no_grad():
        torch.testing.assert_close(again.encode_text(reference['ids_long'], long=True),
                                   reference['text_long'], **TOL)


def test_fgclip_checkpoint_is_refused(tmp_path):
    from fgclip_det.models.clip import FGCLIP
    from fgclip_det.testing import tiny_fgclip_cfg
    cfg = tiny_fgclip_cfg()
    cfg.pop('type')
    FGCLIP(**cfg).save(str(tmp_path / 'v1.pth'))
    with pytest.raises(KeyError, match='not a toolkit checkpoint of FGCLIP2'):
        FGCLIP2.from_checkpoint(str(tmp_path / 'v1.pth'))
