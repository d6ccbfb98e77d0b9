"""Prompt-ensemble class embeddings, their files and vocabularies."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from fgclip_det.datasets.vocabulary import load_vocabulary
from fgclip_det.models.text import (
    VILD_TEMPLATES,
    build_class_embeddings,
    load_class_embeddings,
    save_class_embeddings,
)
from fgclip_det.testing import build_tiny_fgclip

REPO = Path(__file__).resolve().parents[3]


def fake_encoder(dim=4):
    """Deterministic features per prompt, and a log of what was encoded."""
    seen = []

    def encode(prompts):
        seen.extend(prompts)
        return torch.stack([
            torch.randn(dim, generator=torch.Generator().manual_seed(
                hash(p) % 2**31)) * (1 + len(p)) for p in prompts
        ])

    return encode, seen


def test_ensemble_normalises_each_prompt_then_the_mean():
    encode, seen = fake_encoder()
    templates = ('a {}.', 'the big {}.', 'many {}.')
    out = build_class_embeddings(encode, ['cat', 'bow_(weapon)'], templates,
                                 batch_size=2)
    assert seen[:3] == ['a cat.', 'the big cat.', 'many cat.']
    assert seen[3] == 'a bow (weapon).'
    for row, name in zip(out, ['cat', 'bow (weapon)']):
        prompts = [t.format(name) for t in templates]
        expected = F.normalize(
            F.normalize(fake_encoder()[0](prompts), dim=-1).mean(0), dim=0)
        torch.testing.assert_close(row, expected)


def test_vild_templates_with_fgclip():
    model = build_tiny_fgclip()
    out = build_class_embeddings(
        lambda prompts: model.encode_text(prompts), ['cat', 'dog'])
    assert len(VILD_TEMPLATES) == 63
    assert out.shape == (2, model.embed_dim)
    torch.testing.assert_close(out.norm(dim=-1), torch.ones(2))


def test_bad_templates():
    with pytest.raises(ValueError, match='exactly one'):
        build_class_embeddings(fake_encoder()[0], ['cat'], ('no slot',))


@pytest.mark.parametrize('suffix', ['.pt', '.npy'])
def test_file_round_trip(tmp_path, suffix):
    emb = F.normalize(torch.randn(3, 4), dim=-1)
    path = str(tmp_path / f'emb{suffix}')
    save_class_embeddings(path, emb, ['a', 'b', 'c'])
    torch.testing.assert_close(load_class_embeddings(path), emb)
    if suffix == '.pt':
        content = torch.load(path, weights_only=True)
        assert content['class_names'] == ['a', 'b', 'c']
    with pytest.raises(ValueError, match='end with'):
        save_class_embeddings(str(tmp_path / 'emb.txt'), emb)


def test_vocabulary_sources(tmp_path):
    coco = tmp_path / 'instances.json'
    coco.write_text(json.dumps(dict(categories=[
        dict(id=5, name='dog'), dict(id=2, name='cat')])))
    assert load_vocabulary(str(coco)) == ['cat', 'dog']
    names = tmp_path / 'names.txt'
    names.write_text('cat\n\ntraffic light\n')
    assert load_vocabulary(str(names)) == ['cat', 'traffic light']
    assert load_vocabulary('cat, dog ,traffic light') == [
        'cat', 'dog', 'traffic light']
    with pytest.raises(ValueError, match='duplicate'):
        load_vocabulary('cat,cat')


def test_build_text_embeddings_tool(tmp_path):
    model = build_tiny_fgclip()
    checkpoint = str(tmp_path / 'fgclip.pth')
    model.save(checkpoint)
    out = str(tmp_path / 'emb.pt')
    subprocess.run(
        [sys.executable, str(REPO / 'tools' / 'build_text_embeddings.py'),
         checkpoint, '--vocab', 'cat,dog,traffic light', '--out', out,
         '--templates', 'single'],
        check=True, cwd=REPO, capture_output=True)
    content = torch.load(out, weights_only=True)
    assert content['class_names'] == ['cat', 'dog', 'traffic light']
    with torch.no_grad():
        expected = F.normalize(model.encode_text(
            ['a photo of a cat.', 'a photo of a dog.',
             'a photo of a traffic light.']), dim=-1)
    torch.testing.assert_close(content['embeddings'], expected)


def test_build_text_embeddings_reads_the_config_prompts(tmp_path):
    """With --config and no --templates, the config's prompt_templates (a
    prompt set written in the config) fill the class names."""
    model = build_tiny_fgclip()
    checkpoint = str(tmp_path / 'fgclip.pth')
    torch.save({'state_dict': {'clip.' + k: v
                               for k, v in model.state_dict().items()}},
               checkpoint)
    config = tmp_path / 'det.py'
    clip_cfg = dict(type='FGCLIP', **model.build_cfg)
    config.write_text(
        f'model = dict(backbone=dict(clip={clip_cfg!r}))\n'
        "prompt_templates = ['{}', 'a photo of a {}']\n")
    out = str(tmp_path / 'emb.pt')
    subprocess.run(
        [sys.executable, str(REPO / 'tools' / 'build_text_embeddings.py'),
         checkpoint, '--config', str(config), '--prefix', 'clip.',
         '--vocab', 'star,heart', '--out', out],
        check=True, cwd=REPO, capture_output=True)
    with torch.no_grad():
        expected = torch.stack([
            F.normalize(F.normalize(model.encode_text(
                [name, f'a photo of a {name}']), dim=-1).mean(0), dim=0)
            for name in ('star', 'heart')])
    torch.testing.assert_close(
        torch.load(out, weights_only=True)['embeddings'], expected)


@pytest.mark.parametrize('templates, match', [
    ('coco', 'one of'), ([], 'empty'), (['a photo'], "one '{}'"),
    (['{} and {}'], "one '{}'")])
def test_bad_template_lists(templates, match):
    from fgclip_det.models.text.prompt_templates import resolve_templates
    with pytest.raises(ValueError, match=match):
        resolve_templates(templates)
