"""FGCLIP weights: open_clip pretrained files and tags, toolkit checkpoints."""
import open_clip
import pytest
import torch

from fgclip_det.models.clip import FGCLIP, stretch_position_table
from fgclip_det.models.clip.open_clip_factory import resolve_pretrained
from fgclip_det.testing import (
    build_tiny_fgclip,
    tiny_open_clip_cfg,
    write_tiny_open_clip_checkpoint,
)


@pytest.mark.parametrize('suffix', ['.pt', '.safetensors'])
def test_pretrained_open_clip_file(tmp_path, suffix):
    path = tmp_path / f'tiny_clip{suffix}'
    state = write_tiny_open_clip_checkpoint(str(path), seed=3)
    model = FGCLIP(model_cfg=tiny_open_clip_cfg(), pretrained=str(path))
    loaded = model.clip.state_dict()
    assert set(loaded) == set(state)
    for key, value in state.items():
        torch.testing.assert_close(loaded[key], value, msg=key)
    # long-text parts start as the loaded short ones
    torch.testing.assert_close(model.long_positional_embedding,
                               stretch_position_table(state['positional_embedding']))
    torch.testing.assert_close(model.long_text_projection, state['text_projection'])
    assert model.long_text_projection is not model.clip.text_projection


def test_pretrained_file_at_new_image_size(tmp_path):
    path = tmp_path / 'tiny_clip.pt'
    write_tiny_open_clip_checkpoint(str(path))
    model = FGCLIP(model_cfg=tiny_open_clip_cfg(), pretrained=str(path), image_size=96)
    assert model.visual.positional_embedding.shape == (1 + 6 * 6, 64)


def test_pretrained_tag_goes_through_open_clip_registry(tmp_path, monkeypatch):
    path = tmp_path / 'weights.bin'
    write_tiny_open_clip_checkpoint(str(path))
    requested = []

    def fake_download(cfg, prefer_hf_hub=True, cache_dir=None):
        requested.append((cfg, cache_dir))
        return str(path)

    monkeypatch.setattr(open_clip, 'download_pretrained', fake_download)
    assert resolve_pretrained('ViT-B-16', 'openai', cache_dir='cache') == str(path)
    tag_cfg, cache_dir = requested[0]
    assert tag_cfg['hf_hub'] and tag_cfg['quick_gelu'] and cache_dir == 'cache'
    with pytest.raises(ValueError, match='known tags'):
        resolve_pretrained('ViT-B-16', 'no-such-tag')
    with pytest.raises(ValueError, match='custom model_cfg'):
        FGCLIP(model_cfg=tiny_open_clip_cfg(), pretrained='openai')


def test_toolkit_checkpoint_round_trip(tmp_path):
    model = build_tiny_fgclip(seed=1)
    with torch.no_grad():
        model.long_positional_embedding.add_(0.5)
        model.logit_scale_hardneg.fill_(3.0)
    path = tmp_path / 'fgclip.pth'
    model.save(str(path), meta=dict(source='unit test'))

    raw = torch.load(path, weights_only=True)  # plain content only
    assert raw['meta']['fgclip_cfg']['model_cfg'] == tiny_open_clip_cfg()
    assert raw['meta']['source'] == 'unit test'

    restored = FGCLIP.from_checkpoint(str(path))
    for key, value in model.state_dict().items():
        torch.testing.assert_close(restored.state_dict()[key], value, msg=key)
    images = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(restored.encode_dense(images),
                                   model.encode_dense(images))

    built = FGCLIP(model_cfg=tiny_open_clip_cfg(), checkpoint=str(path))
    torch.testing.assert_close(built.logit_scale_hardneg, torch.tensor(3.0))


def test_toolkit_checkpoint_strict_report(tmp_path):
    model = build_tiny_fgclip()
    state = model.state_dict()
    state.pop('logit_scale_region')
    state['clip.visual.proj'] = torch.zeros(3, 3)
    state['extra.weight'] = torch.zeros(1)
    path = tmp_path / 'broken.pth'
    torch.save({'state_dict': state}, path)
    with pytest.raises(KeyError) as info:
        model.load_checkpoint(str(path))
    text = str(info.value)
    assert 'logit_scale_region' in text and 'extra.weight' in text
    assert 'clip.visual.proj: (3, 3)' in text
    report = model.load_checkpoint(str(path), strict=False)
    assert report.unused == ['extra.weight']
    assert len(report.mismatched) == 1 and len(report.missing) == 1


def test_load_with_prefix(tmp_path):
    model = build_tiny_fgclip(seed=2)
    path = tmp_path / 'train.pth'
    wrapped = {f'clip_model.{k}': v for k, v in model.state_dict().items()}
    wrapped['head.temperature'] = torch.ones(())
    torch.save({'state_dict': wrapped, 'meta': {}}, path)
    other = build_tiny_fgclip(seed=5)
    report = other.load_checkpoint(str(path), prefix='clip_model.')
    assert report.ok
    torch.testing.assert_close(other.clip.visual.proj, model.clip.visual.proj)
    with pytest.raises(KeyError, match='fgclip_cfg'):
        FGCLIP.from_checkpoint(str(path))


def test_checkpoint_of_a_config_built_model_loads_safely(tmp_path):
    """A model built from an MMEngine config (ConfigDict arguments) saves a
    checkpoint that loads with ``weights_only=True``."""
    from mmengine.config import Config

    from fgclip_det.registry import MODELS
    from fgclip_det.testing import tiny_fgclip_cfg

    cfg = Config(dict(model=tiny_fgclip_cfg()))
    model = MODELS.build(cfg.model)
    path = tmp_path / 'fgclip.pth'
    model.save(str(path))
    raw = torch.load(path, weights_only=True)
    assert type(raw['meta']['fgclip_cfg']['model_cfg']['vision_cfg']) is dict
    FGCLIP.from_checkpoint(str(path))
