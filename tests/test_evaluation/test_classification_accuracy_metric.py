"""ClassificationAccuracyMetric against hand-computed accuracies."""
import pytest
import torch

from fgclip_det.evaluation import ClassificationAccuracyMetric


def samples():
    # labels 0, 0 | 1, 2; true-class ranks 1, 3 | 1, 2
    return [
        dict(pred_scores=torch.tensor([[0.9, 0.1, 0.0], [0.2, 0.5, 0.3]]),
             gt_labels=torch.tensor([0, 0])),
        dict(pred_scores=torch.tensor([[0.1, 0.8, 0.1], [0.3, 0.6, 0.4]]),
             gt_labels=torch.tensor([1, 2])),
    ]


def test_topk_and_mean_class_accuracy():
    metric = ClassificationAccuracyMetric(topk=(1, 2, 5), prefix='box_cls')
    for sample in samples():
        metric.process({}, [sample])
    results = metric.evaluate(size=2)
    assert results['box_cls/top1'] == pytest.approx(50.0)
    assert results['box_cls/top2'] == pytest.approx(75.0)
    # k above the number of classes counts every class
    assert results['box_cls/top5'] == pytest.approx(100.0)
    # per class: 1/2, 1/1, 0/1
    assert results['box_cls/mean_class_top1'] == pytest.approx(50.0)


def test_default_prefix_and_zero_shot_samples():
    metric = ClassificationAccuracyMetric()
    metric.process({}, [
        dict(pred_scores=torch.tensor([[0.1, 0.9]]), gt_labels=torch.tensor([1]))
    ])
    assert metric.evaluate(size=1) == {
        'classification/top1': 100.0, 'classification/top5': 100.0,
        'classification/mean_class_top1': 100.0
    }


@pytest.mark.parametrize('topk', [(), (0, 1)])
def test_bad_topk(topk):
    with pytest.raises(ValueError, match='topk'):
        ClassificationAccuracyMetric(topk=topk)


def test_class_groups():
    metric = ClassificationAccuracyMetric(
        class_groups=dict(novel=[2], rare=[1, 2]), prefix='box_cls')
    for sample in samples():
        metric.process({}, [sample])
    results = metric.evaluate(size=2)
    # label 2 ranked second; labels 1 (hit) and 2 (miss); labels 0: 1 of 2
    assert results['box_cls/top1_novel'] == pytest.approx(0.0)
    assert results['box_cls/top1_rare'] == pytest.approx(50.0)
    assert results['box_cls/top1_other'] == pytest.approx(50.0)
    assert results['box_cls/top1'] == pytest.approx(50.0)


def test_class_group_without_boxes_is_nan():
    metric = ClassificationAccuracyMetric(class_groups=dict(novel=[7]))
    metric.process({}, samples())
    assert torch.isnan(torch.tensor(
        metric.evaluate(size=2)['classification/top1_novel']))


@pytest.mark.parametrize('groups', [dict(novel=[]), dict(other=[1]),
                                    dict(novel=[-1])])
def test_bad_class_groups(groups):
    with pytest.raises(ValueError, match='class_groups'):
        ClassificationAccuracyMetric(class_groups=groups)
