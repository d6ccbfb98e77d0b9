"""select_instances: top-k, relative and absolute score thresholds."""
import argparse
import math

import pytest
import torch
from mmengine.structures import InstanceData

from fgclip_det.visualization import (
    max_boxes_arg,
    relative_score_thr_arg,
    select_instances,
)


def _instances(scores) -> InstanceData:
    scores = torch.tensor(scores)
    return InstanceData(scores=scores, bboxes=torch.rand(len(scores), 4),
                        labels=torch.arange(len(scores)))


def test_top_k_keeps_the_highest_in_decreasing_order():
    kept = select_instances(_instances([0.2, 0.9, 0.5, 0.7]), max_boxes=2)
    assert kept.labels.tolist() == [1, 3]
    fewer = select_instances(_instances([0.2, 0.9]), max_boxes=5)
    assert fewer.labels.tolist() == [1, 0]


def test_relative_threshold_is_a_fraction_of_the_best_score_inclusive():
    kept = select_instances(_instances([0.8, 0.4, 0.39, 0.6]),
                            relative_score_thr=0.5)
    assert kept.labels.tolist() == [0, 3, 1]
    best_only = select_instances(_instances([0.8, 0.4]), relative_score_thr=1)
    assert best_only.labels.tolist() == [0]


def test_absolute_threshold_is_inclusive_and_all_rules_combine():
    instances = _instances([0.8, 0.4, 0.3, 0.6, 0.1])
    assert select_instances(instances, score_thr=0.4).labels.tolist() == [0, 3, 1]
    # the stricter threshold wins, then the top k
    kept = select_instances(instances, max_boxes=2, relative_score_thr=0.1,
                            score_thr=0.35)
    assert kept.labels.tolist() == [0, 3]
    kept = select_instances(instances, relative_score_thr=0.6, score_thr=0.2)
    assert kept.labels.tolist() == [0, 3]


def test_empty_predictions_stay_empty():
    empty = InstanceData(scores=torch.zeros(0), bboxes=torch.zeros(0, 4),
                         labels=torch.zeros(0, dtype=torch.long))
    kept = select_instances(empty, max_boxes=3, relative_score_thr=0.5,
                            score_thr=0.3)
    assert len(kept) == 0 and kept.bboxes.shape == (0, 4)


def test_relative_threshold_ignores_the_vocabulary_size():
    """Softmax scores of a 1000-class model are ~8/1000 of an 8-class one's:
    the relative threshold keeps the same boxes, the absolute one none."""
    scores_8 = [0.9, 0.5, 0.44, 0.3, 0.05]
    scores_1000 = [s * 8 / 1000 for s in scores_8]
    kept_8 = select_instances(_instances(scores_8), relative_score_thr=0.5)
    kept_1000 = select_instances(_instances(scores_1000), relative_score_thr=0.5)
    assert kept_8.labels.tolist() == kept_1000.labels.tolist() == [0, 1]
    assert len(select_instances(_instances(scores_1000), score_thr=0.3)) == 0


@pytest.mark.parametrize('kwargs, message', [
    (dict(max_boxes=0), r'max_boxes must be an integer >= 1 \(or None\), got 0'),
    (dict(max_boxes=2.5), 'max_boxes .* got 2.5'),
    (dict(max_boxes=True), 'max_boxes .* got True'),
    (dict(relative_score_thr=1.5), r'relative_score_thr must be in \[0, 1\], got 1.5'),
    (dict(relative_score_thr=-0.1), 'relative_score_thr .* got -0.1'),
    (dict(relative_score_thr=math.nan), 'relative_score_thr .* got nan'),
])
def test_bad_values_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        select_instances(_instances([0.5]), **kwargs)


def test_command_line_types():
    assert max_boxes_arg('3') == 3
    assert relative_score_thr_arg('0.25') == 0.25
    with pytest.raises(argparse.ArgumentTypeError, match='max_boxes .* got 0'):
        max_boxes_arg('0')
    with pytest.raises(argparse.ArgumentTypeError, match="'two'"):
        max_boxes_arg('two')
    with pytest.raises(argparse.ArgumentTypeError, match='relative_score_thr .* 2.0'):
        relative_score_thr_arg('2')
