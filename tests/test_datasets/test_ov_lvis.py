"""OV-LVIS: rare-class annotations are dropped, everything else is kept."""
import json

import pytest

from fgclip_det.datasets.ov_lvis import drop_rare_lvis
from fgclip_det.testing.tool_runs import run_tool


def small_lvis() -> dict:
    categories = [
        dict(id=1, name='apple', frequency='f'),
        dict(id=2, name='aardvark', frequency='r'),
        dict(id=3, name='bagel', frequency='c'),
    ]
    annotations = [
        dict(id=i + 1, image_id=1 + i % 2, category_id=cat, bbox=[0, 0, 5, 5],
             area=25) for i, cat in enumerate([1, 2, 3, 2, 1])
    ]
    images = [dict(id=1, neg_category_ids=[2]), dict(id=2, neg_category_ids=[])]
    return dict(info={}, images=images, annotations=annotations,
                categories=categories)


def test_drops_only_rare_annotations():
    lvis = small_lvis()
    ov = drop_rare_lvis(lvis)
    assert [a['category_id'] for a in ov['annotations']] == [1, 3, 1]
    assert ov['categories'] == lvis['categories']
    assert ov['images'] == lvis['images']
    assert len(lvis['annotations']) == 5  # the input is not modified


def test_rejects_files_without_frequency():
    lvis = small_lvis()
    del lvis['categories'][1]['frequency']
    with pytest.raises(ValueError, match='frequency.*id 2'):
        drop_rare_lvis(lvis)


def test_command_line_tool(tmp_path):
    src, dst = tmp_path / 'train.json', tmp_path / 'train_norare.json'
    src.write_text(json.dumps(small_lvis()))
    proc = run_tool('data/make_ov_lvis.py', src, dst, cwd=tmp_path)
    assert '3 of 5 annotations kept; 1 rare' in proc.stdout
    assert len(json.loads(dst.read_text())['annotations']) == 3
