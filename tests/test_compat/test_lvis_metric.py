"""mmdet's LVISMetric (lvis 0.5.3 underneath) runs on numpy 2."""
import json

import numpy as np
import pytest
import torch

from fgclip_det.registry import METRICS

# One category of each LVIS frequency: rare (novel in OV-LVIS), common, frequent.
CATEGORIES = [
    dict(id=1, name='aardvark', frequency='r', synset='aardvark.n.01'),
    dict(id=2, name='apron', frequency='c', synset='apron.n.01'),
    dict(id=3, name='apple', frequency='f', synset='apple.n.01'),
]
# (image id, category id, xywh box)
GT_BOXES = [
    (1, 1, [10, 10, 30, 20]),
    (1, 3, [50, 40, 25, 25]),
    (2, 2, [5, 60, 40, 30]),
    (2, 3, [60, 5, 30, 30]),
]


def _write_lvis_file(path) -> None:
    annotations = []
    for ann_id, (img_id, cat_id, (x, y, w, h)) in enumerate(GT_BOXES, 1):
        annotations.append(
            dict(
                id=ann_id,
                image_id=img_id,
                category_id=cat_id,
                bbox=[x, y, w, h],
                area=w * h,
                segmentation=[[x, y, x + w, y, x + w, y + h, x, y + h]]))
    images = [
        dict(
            id=img_id,
            width=100,
            height=100,
            file_name=f'{img_id:012d}.jpg',
            neg_category_ids=[],
            not_exhaustive_category_ids=[]) for img_id in (1, 2)
    ]
    with open(path, 'w') as f:
        json.dump(
            dict(images=images, annotations=annotations,
                 categories=CATEGORIES), f)


def _data_samples(shift: float, wrong_label: bool):
    """Predictions = the ground truth shifted by `shift` pixels."""
    samples = []
    for img_id in (1, 2):
        boxes = [(cat, box) for i, cat, box in GT_BOXES if i == img_id]
        xyxy = torch.tensor([[x + shift, y, x + w + shift, y + h]
                             for _, (x, y, w, h) in boxes],
                            dtype=torch.float32)
        labels = torch.tensor([cat - 1 for cat, _ in boxes])
        if wrong_label:
            labels = (labels + 1) % len(CATEGORIES)
        samples.append(
            dict(
                img_id=img_id,
                ori_shape=(100, 100),
                pred_instances=dict(
                    bboxes=xyxy,
                    scores=torch.full((len(boxes), ), 0.9),
                    labels=labels)))
    return samples


def _evaluate(ann_file, shift=0.0, wrong_label=False) -> dict:
    metric = METRICS.build(
        dict(type='LVISMetric', ann_file=str(ann_file), metric='bbox'))
    metric.dataset_meta = dict(classes=[c['name'] for c in CATEGORIES])
    metric.process({}, _data_samples(shift, wrong_label))
    return metric.evaluate(size=2)


@pytest.fixture
def lvis_file(tmp_path):
    path = tmp_path / 'lvis_tiny.json'
    _write_lvis_file(path)
    return path


def test_perfect_predictions_score_one(lvis_file):
    results = _evaluate(lvis_file)
    for key in ('AP', 'AP50', 'APr', 'APc', 'APf'):
        assert results[f'lvis/bbox_{key}'] == pytest.approx(1.0), key
    # The fix is local to lvis: numpy itself keeps its modern namespace.
    assert not hasattr(np, 'float')


def test_wrong_labels_score_zero(lvis_file):
    results = _evaluate(lvis_file, wrong_label=True)
    assert results['lvis/bbox_AP'] == pytest.approx(0.0)


def test_shifted_boxes_lose_strict_iou(lvis_file):
    # A 6 px shift keeps IoU >= 0.5 on every box but fails the strict
    # thresholds, so AP50 stays 1 and AP drops.
    results = _evaluate(lvis_file, shift=6.0)
    assert results['lvis/bbox_AP50'] == pytest.approx(1.0)
    assert results['lvis/bbox_AP'] < 0.9
