"""OVCocoMetric against a direct pycocotools evaluation of each split."""
import contextlib
import io
import json

import numpy as np
import pytest
import torch
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from fgclip_det.datasets.ov_coco import (
    OV_COCO_BASE_CLASSES,
    OV_COCO_CLASSES,
    OV_COCO_NOVEL_CLASSES,
    base_only_coco,
)
from fgclip_det.evaluation import OVCocoMetric
from fgclip_det.testing.tool_runs import run_tool

# category ids deliberately out of name order
CATEGORIES = [dict(id=7, name='person'), dict(id=3, name='cat'),
              dict(id=5, name='car'), dict(id=1, name='dog'),
              dict(id=9, name='cup')]
CLASSES = ('person', 'cat', 'car', 'dog', 'cup')  # the dataset's order
NOVEL = ('cat', 'dog', 'cup')


def make_coco(seed=0):
    rng = np.random.default_rng(seed)
    images, annotations = [], []
    for image_id in range(1, 7):
        images.append(dict(id=image_id, width=200, height=150,
                           file_name=f'{image_id}.jpg'))
        for _ in range(rng.integers(1, 5)):
            x, y = rng.uniform(0, 120), rng.uniform(0, 80)
            w, h = rng.uniform(10, 70), rng.uniform(10, 60)
            annotations.append(dict(
                id=len(annotations) + 1, image_id=image_id,
                category_id=int(rng.choice([7, 3, 5, 1])),  # no 'cup' box
                bbox=[x, y, w, h], area=w * h, iscrowd=0))
    return dict(images=images, annotations=annotations, categories=CATEGORIES)


def make_predictions(coco, seed=1):
    """Jittered ground truth, some wrong labels, some false positives."""
    rng = np.random.default_rng(seed)
    cat_to_label = {c['id']: CLASSES.index(c['name']) for c in CATEGORIES}
    samples = []
    for image in coco['images']:
        boxes, labels, scores = [], [], []
        for ann in coco['annotations']:
            if ann['image_id'] != image['id']:
                continue
            x, y, w, h = np.array(ann['bbox']) + rng.normal(0, 4, 4)
            boxes.append([x, y, x + w, y + h])
            label = cat_to_label[ann['category_id']]
            labels.append(label if rng.random() > 0.25 else
                          int(rng.integers(0, len(CLASSES))))
            scores.append(rng.uniform(0.3, 1.0))
        for _ in range(2):
            x, y = rng.uniform(0, 150, 2)
            boxes.append([x, y, x + 30, y + 30])
            labels.append(int(rng.integers(0, len(CLASSES))))
            scores.append(rng.uniform(0.0, 0.6))
        samples.append(dict(
            img_id=image['id'], ori_shape=(150, 200),
            pred_instances=dict(
                bboxes=torch.tensor(boxes, dtype=torch.float32),
                scores=torch.tensor(scores, dtype=torch.float32),
                labels=torch.tensor(labels))))
    return samples


def pycocotools_ap50(ann_file, samples, names):
    """AP50 of the named classes, straight from pycocotools."""
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(ann_file)
        name_to_id = {c['name']: c['id'] for c in CATEGORIES}
        detections = [
            dict(image_id=s['img_id'], category_id=name_to_id[CLASSES[int(label)]],
                 bbox=[float(x1), float(y1), float(x2 - x1), float(y2 - y1)],
                 score=float(score))
            for s in samples
            for (x1, y1, x2, y2), score, label in zip(
                s['pred_instances']['bboxes'].tolist(),
                s['pred_instances']['scores'].tolist(),
                s['pred_instances']['labels'].tolist())
        ]
        coco_eval = COCOeval(gt, gt.loadRes(detections), 'bbox')
        coco_eval.params.catIds = [name_to_id[n] for n in names]
        coco_eval.evaluate()
        coco_eval.accumulate()
        coco_eval.summarize()
    return coco_eval.stats[1]


def test_ap50_splits_match_pycocotools(tmp_path):
    coco = make_coco()
    ann_file = str(tmp_path / 'instances.json')
    with open(ann_file, 'w') as f:
        json.dump(coco, f)
    samples = make_predictions(coco)

    metric = OVCocoMetric(novel_classes=NOVEL, ann_file=ann_file)
    metric.dataset_meta = dict(classes=CLASSES)
    metric.process({}, samples)
    results = metric.evaluate(len(samples))

    base = [c for c in CLASSES if c not in NOVEL]
    expected = dict(
        novel=pycocotools_ap50(ann_file, samples, NOVEL),
        base=pycocotools_ap50(ann_file, samples, base),
        all=pycocotools_ap50(ann_file, samples, CLASSES))
    assert 0 < expected['novel'] < 1 and 0 < expected['base'] < 1
    assert expected['novel'] != pytest.approx(expected['base'])
    for split, value in expected.items():
        assert results[f'coco/bbox_AP50_{split}'] == pytest.approx(value)


def test_unknown_novel_class_and_empty_results(tmp_path):
    ann_file = str(tmp_path / 'instances.json')
    with open(ann_file, 'w') as f:
        json.dump(make_coco(), f)
    metric = OVCocoMetric(novel_classes=('cat', 'unicorn'), ann_file=ann_file)
    metric.dataset_meta = dict(classes=CLASSES)
    with pytest.raises(ValueError, match='unicorn'):
        metric.compute_metrics([({}, dict(img_id=1, bboxes=np.zeros((0, 4)),
                                          scores=np.zeros(0),
                                          labels=np.zeros(0, int)))])
    metric = OVCocoMetric(novel_classes=NOVEL, ann_file=ann_file)
    metric.dataset_meta = dict(classes=CLASSES)
    results = metric.compute_metrics([({}, dict(
        img_id=1, bboxes=np.zeros((0, 4)), scores=np.zeros(0),
        labels=np.zeros(0, int)))])
    assert results['bbox_AP50_novel'] == 0.0
    with pytest.raises(ValueError, match='sequence of class names'):
        OVCocoMetric(novel_classes='cat', ann_file=ann_file)


def test_ov_coco_split_constants():
    assert len(OV_COCO_BASE_CLASSES) == 48 and len(OV_COCO_NOVEL_CLASSES) == 17
    assert not set(OV_COCO_BASE_CLASSES) & set(OV_COCO_NOVEL_CLASSES)
    assert len(OV_COCO_CLASSES) == 65
    assert set(OV_COCO_CLASSES) == (set(OV_COCO_BASE_CLASSES)
                                    | set(OV_COCO_NOVEL_CLASSES))


def test_base_only_coco():
    from mmdet.datasets import CocoDataset

    names = CocoDataset.METAINFO['classes']
    categories = [dict(id=i + 1, name=name) for i, name in enumerate(names)]
    ids = {c['name']: c['id'] for c in categories}
    coco = dict(
        info={}, categories=categories,
        images=[dict(id=1), dict(id=2), dict(id=3)],
        annotations=[
            dict(id=1, image_id=1, category_id=ids['person']),  # base
            dict(id=2, image_id=1, category_id=ids['cat']),  # novel
            dict(id=3, image_id=2, category_id=ids['dog']),  # novel only
            dict(id=4, image_id=3, category_id=ids['hair drier']),  # neither
        ])
    out = base_only_coco(coco)
    assert [a['id'] for a in out['annotations']] == [1]
    assert [i['id'] for i in out['images']] == [1]
    assert [c['name'] for c in out['categories']] == list(OV_COCO_CLASSES)
    assert 'info' in out
    with pytest.raises(ValueError, match='not a COCO instances file'):
        base_only_coco(dict(coco, categories=categories[:10]))


def test_make_ov_coco_tool(tmp_path):
    from mmdet.datasets import CocoDataset

    categories = [dict(id=i + 1, name=name)
                  for i, name in enumerate(CocoDataset.METAINFO['classes'])]
    src, dst = tmp_path / 'instances.json', tmp_path / 'base.json'
    src.write_text(json.dumps(dict(
        categories=categories, images=[dict(id=1), dict(id=2)],
        annotations=[dict(id=1, image_id=1, category_id=1),
                     dict(id=2, image_id=2, category_id=5)])))  # airplane
    run_tool('data/make_ov_coco.py', src, dst, cwd=tmp_path)
    out = json.loads(dst.read_text())
    assert [a['id'] for a in out['annotations']] == [1]
    assert len(out['categories']) == 65
