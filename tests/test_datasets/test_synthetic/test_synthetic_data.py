"""The synthetic data generator: determinism, negatives, boxes and formats."""
import hashlib
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fgclip_det.datasets import generate_synthetic_dataset, load_fgovd_jsonl
from fgclip_det.datasets.fgovd import FGOVD_FILES
from fgclip_det.datasets.synthetic import (
    COLORS,
    ObjectSpec,
    changed_attributes,
    parse_expression,
)
from fgclip_det.datasets.synthetic.rendering import pattern_color
from fgclip_det.testing.tool_runs import run_tool

# 10 train images: the first novel close-ups are images 7 and 8.
SMALL = dict(num_train=10, num_val=6, image_size=96, progress=False)
# Attributes changed in the negatives of each FG-OVD-style file.
CHANGED = {'1_attributes': 1, '2_attributes': 2, '3_attributes': 3,
           'shuffle_negatives': 4}


@pytest.fixture(scope='module')
def data_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp('synthetic')
    generate_synthetic_dataset(root, seed=0, **SMALL)
    return root


def _load(data_dir: Path, name: str):
    return json.loads((data_dir / name).read_text())


def _annotation_bytes(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob('*'))
        if p.suffix in ('.json', '.jsonl')
    }


def test_same_seed_gives_identical_files(data_dir, tmp_path):
    generate_synthetic_dataset(tmp_path / 'again', seed=0, **SMALL)
    first = _annotation_bytes(data_dir)
    assert len(first) == 11  # 2 COCO, split, 2 FineHARD, 4 FG-OVD, ...
    assert _annotation_bytes(tmp_path / 'again') == first
    for image in ('images/train/000001.png', 'images/val/000006.png'):
        assert (tmp_path / 'again' / image).read_bytes() == (
            data_dir / image).read_bytes()

    generate_synthetic_dataset(tmp_path / 'other', seed=1, **SMALL)
    other = _annotation_bytes(tmp_path / 'other')
    assert other['finehard/val.json'] != first['finehard/val.json']


def test_manifest(data_dir):
    manifest = _load(data_dir, 'manifest.json')
    assert manifest['seed'] == 0 and manifest['image_size'] == [96, 96]
    assert manifest['num_images'] == {'train': 10, 'val': 6}
    assert manifest['novel_classes'] == ['star', 'heart']
    assert manifest['version']
    for name in manifest['files']:
        assert (data_dir / name).is_file(), name
    for name, digest in manifest['sha256'].items():
        content = (data_dir / name).read_bytes()
        assert hashlib.sha256(content).hexdigest() == digest
    coco_val = _load(data_dir, 'annotations/instances_val.json')
    assert manifest['num_objects']['val'] == len(coco_val['annotations'])


def test_finehard_val_negatives_change_one_attribute(data_dir):
    """Validation regions: the full expression, ten negatives that change one
    attribute each (the shape included), none describing another object.
    Training regions are checked in test_synthetic_grammar.py."""
    for split in ('train', 'val'):
        for record in _load(data_dir, f'finehard/{split}.json'):
            assert set(record) == {
                'img_path', 'caption', 'short_caption', 'bbox_info'
            }
    for record in _load(data_dir, 'finehard/val.json'):
        positives = [parse_expression(r['short_expr'])
                     for r in record['bbox_info']]
        assert len(set(positives)) == len(positives)
        for region, positive in zip(record['bbox_info'], positives):
            assert region['long_expr'].startswith(region['short_expr'])
            assert region['short_expr'] in record['caption'].lower()
            assert region['flag_short_neg'] is True
            negs = region['short_expr_negs']
            assert list(negs) == [str(i) for i in range(10)]
            specs = [parse_expression(text) for text in negs.values()]
            assert len(set(specs)) == 10
            for spec in specs:
                assert len(changed_attributes(positive, spec)) == 1
                assert spec not in positives


def test_fgovd_negatives_change_declared_attributes(data_dir):
    for name, test_type in FGOVD_FILES.items():
        records = load_fgovd_jsonl(data_dir / 'fgovd' / name, num_negatives=10)
        positives = defaultdict(set)
        for record in records:
            positives[record.image_id].add(
                parse_expression(record.pos_expression))
        assert len(records) == sum(map(len, positives.values()))
        for record in records:
            assert record.test_type == test_type
            positive = parse_expression(record.pos_expression)
            specs = [parse_expression(t) for t in record.neg_expressions]
            assert len(set(specs)) == 10
            for spec in specs:
                assert len(changed_attributes(positive,
                                              spec)) == CHANGED[test_type]
                assert spec not in positives[record.image_id]
            assert (data_dir / record.img_path).is_file()
            assert record.img_path.startswith('images/val/')


def _shade_mask(image: np.ndarray, color: str) -> np.ndarray:
    return (image == COLORS[color]).all(-1) | (image == pattern_color(color)
                                               ).all(-1)


def test_boxes_tight_around_drawn_pixels(data_dir):
    checked = 0
    for split in ('train', 'val'):
        for record in _load(data_dir, f'finehard/{split}.json'):
            image = np.asarray(Image.open(data_dir / record['img_path']))
            height, width = image.shape[:2]
            # the long expression starts with the full short one
            colors = [parse_expression(
                r['long_expr'].split(' in the ')[0]).color
                      for r in record['bbox_info']]
            for region, color in zip(record['bbox_info'], colors):
                x1, y1, x2, y2 = region['bbox']
                assert 0 <= x1 < x2 <= 1 and 0 <= y1 < y2 <= 1
                if colors.count(color) > 1:
                    continue  # pixels of another object share the colour
                ys, xs = np.nonzero(_shade_mask(image, color))
                drawn = np.array([xs.min(), ys.min(), xs.max() + 1,
                                  ys.max() + 1])
                box = np.array([x1 * width, y1 * height, x2 * width,
                                y2 * height])
                assert np.abs(drawn - box).max() <= 1, (record['img_path'],
                                                        region)
                checked += 1
    assert checked > 10


def test_coco_files_load_and_evaluate(data_dir):
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    split = _load(data_dir, 'annotations/ov_split.json')
    novel_ids = {c['id'] for c in split['novel']}
    assert [c['name'] for c in split['novel']] == ['star', 'heart']

    train = COCO(str(data_dir / 'annotations/instances_train.json'))
    assert [c['name'] for c in train.loadCats(train.getCatIds())] == [
        'circle', 'square', 'triangle', 'star', 'hexagon', 'diamond',
        'cross', 'heart'
    ]
    labelled = {a['category_id'] for a in train.dataset['annotations']}
    assert not labelled & novel_ids
    present = set()
    for image in train.dataset['images']:
        image_present = set(image['present_category_ids'])
        annotated = {a['category_id']
                     for a in train.imgToAnns[image['id']]}
        # a close-up of a novel shape is the only image without a base box
        assert annotated or (len(image_present) == 1
                             and image_present <= novel_ids)
        assert annotated <= image_present
        assert image_present - annotated <= novel_ids
        present |= image_present
    assert present & novel_ids, 'novel shapes appear in training images'

    val = COCO(str(data_dir / 'annotations/instances_val.json'))
    for image in val.dataset['images']:
        assert set(image['present_category_ids']) == {
            a['category_id'] for a in val.imgToAnns[image['id']]}
        for ann in val.imgToAnns[image['id']]:
            x, y, w, h = ann['bbox']
            assert x >= 0 and y >= 0 and w > 0 and h > 0
            assert x + w <= image['width'] and y + h <= image['height']
            assert 0 < ann['area'] <= w * h and ann['iscrowd'] == 0
    results = [dict(image_id=a['image_id'], category_id=a['category_id'],
                    bbox=a['bbox'], score=1.0)
               for a in val.dataset['annotations']]
    evaluator = COCOeval(val, val.loadRes(results), 'bbox')
    evaluator.evaluate()
    evaluator.accumulate()
    evaluator.summarize()
    assert evaluator.stats[1] == pytest.approx(1.0)  # AP50 of the truth


def test_retrieval_set(data_dir):
    records = _load(data_dir, 'retrieval/val.json')
    finehard = _load(data_dir, 'finehard/val.json')
    assert [r['img_path'] for r in records] == [
        r['img_path'] for r in finehard]
    for record, caption in zip(records, finehard):
        assert record['caption'] == caption['caption']
        assert record['short_caption'] == caption['short_caption']


def test_parse_expression_round_trip():
    spec = ObjectSpec('heart', 'red', 'small', 'dotted')
    assert parse_expression(spec.expression) == spec
    assert parse_expression('A small dotted red heart.') == spec
    with pytest.raises(ValueError, match="'octagon'"):
        parse_expression('a small dotted red octagon')
    with pytest.raises(ValueError, match='expected'):
        parse_expression('a red heart')


@pytest.mark.parametrize('kwargs, match', [
    (dict(novel_classes=('octagon', )), "'octagon'"),
    (dict(image_format='gif'), "'gif'"),
    (dict(image_size=32), '32'),
    (dict(max_objects=0), 'max_objects'),
    (dict(max_occlusion=1.0), 'max_occlusion'),
])
def test_bad_arguments(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        generate_synthetic_dataset(tmp_path, **{**SMALL, **kwargs})


def test_command_line_tools(tmp_path):
    out = tmp_path / 'data'
    run_tool('data/make_synthetic.py', out, '--num-train', '3',
             '--num-val', '2', '--image-size', '96', '80', '--seed', '3',
             '--novel-classes', 'cross', '--image-format', 'jpg', cwd=tmp_path)
    manifest = _load(out, 'manifest.json')
    assert manifest['image_size'] == [96, 80]
    assert manifest['novel_classes'] == ['cross']
    with Image.open(out / 'images/val/000002.jpg') as image:
        assert image.size == (96, 80)

    grid = tmp_path / 'grid.png'
    run_tool('data/browse_synthetic.py', out, '--out', grid, '--num', '2',
             '--columns', '2', '--tile-size', '128', cwd=tmp_path)
    with Image.open(grid) as image:
        assert image.format == 'PNG' and image.width == 256


def test_mmdet_coco_dataset_reads_train_split(data_dir):
    from mmdet.datasets import CocoDataset

    classes = tuple(c['name'] for c in _load(
        data_dir, 'annotations/instances_train.json')['categories'])
    dataset = CocoDataset(
        data_root=str(data_dir),
        ann_file='annotations/instances_train.json',
        data_prefix=dict(img='images/train/'),
        metainfo=dict(classes=classes),
        filter_cfg=dict(filter_empty_gt=True),
        pipeline=[])
    assert len(dataset) == 8  # the two novel close-ups have no box
    labels = {
        instance['bbox_label']
        for i in range(len(dataset))
        for instance in dataset.get_data_info(i)['instances']
    }
    assert labels and not labels & {classes.index('star'),
                                    classes.index('heart')}
