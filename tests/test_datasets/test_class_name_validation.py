"""Empty and colliding class names are rejected wherever a vocabulary enters."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from fgclip_det.datasets.class_names import check_class_names
from fgclip_det.datasets.vocabulary import load_vocabulary
from fgclip_det.models.text import build_class_embeddings

REPO = Path(__file__).resolve().parents[2]


def encode(prompts):
    return torch.randn(len(prompts), 4)


@pytest.mark.parametrize('name', ['', '   ', '\t', '_', ' __ '])
def test_empty_names_are_rejected_by_index(name):
    with pytest.raises(ValueError,
                       match=re.escape(f'class name 1 is empty: {name!r}')):
        check_class_names(['cat', name, 'dog'])


@pytest.mark.parametrize('names, first, second', [
    (['cat', 'dog', 'cat'], 0, 2),
    (['traffic light', 'Traffic_Light'], 0, 1),
    (['a', 'bow_(weapon)', 'bow  (weapon)'], 1, 2),
])
def test_names_with_the_same_prompt_text_collide(names, first, second):
    with pytest.raises(ValueError, match=re.escape(
            f'duplicate class names: {first} ({names[first]!r}) and {second} '
            f'({names[second]!r})')):
        check_class_names(names)


def test_other_mistakes():
    with pytest.raises(TypeError, match="the string 'cat,dog'"):
        check_class_names('cat,dog')
    with pytest.raises(TypeError, match='class name 1 is a int'):
        check_class_names(['cat', 3])
    with pytest.raises(ValueError, match='no class names'):
        check_class_names([])
    check_class_names(['cat', 'bow_(weapon)', 'traffic light'])


def test_build_class_embeddings_rejects_empty_names():
    with pytest.raises(ValueError, match="class name 2 is empty: ' '"):
        build_class_embeddings(encode, ['cat', 'dog', ' '], ('a {}.', ))


def test_load_vocabulary_names_the_source(tmp_path):
    with pytest.raises(ValueError,
                       match="class name 1 in 'cat,,dog' is empty"):
        load_vocabulary('cat,,dog')
    with pytest.raises(ValueError, match="class name 2 in 'cat,dog,' is empty"):
        load_vocabulary('cat,dog,')
    coco = tmp_path / 'instances.json'
    coco.write_text(json.dumps(dict(categories=[
        dict(id=2, name='cat'), dict(id=1, name=' ')])))
    with pytest.raises(ValueError, match=re.escape(
            f'class name 0 in {str(coco)!r} is empty')):
        load_vocabulary(str(coco))
    names = tmp_path / 'names.txt'
    names.write_text('cat\n\n_\n')  # blank lines are skipped, '_' is not
    with pytest.raises(ValueError, match="class name 1 .* is empty: '_'"):
        load_vocabulary(str(names))
    names.write_text('Cat\ncat\n')
    with pytest.raises(ValueError, match='duplicate class names'):
        load_vocabulary(str(names))


def test_build_text_embeddings_tool_reports_a_bad_vocabulary(tmp_path):
    out = tmp_path / 'emb.pt'
    proc = subprocess.run(
        [sys.executable, str(REPO / 'tools' / 'build_text_embeddings.py'),
         str(tmp_path / 'never_read.pth'), '--vocab', 'cat, ,dog', '--out',
         str(out)],
        cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        "build_text_embeddings.py: error: --vocab: class name 1 in "
        "'cat, ,dog' is empty: ''")
    assert 'Traceback' not in proc.stderr
    assert not out.exists()
