"""FineGrainedRankingMetric against counts done by hand."""
import math

import pytest
import torch

from fgclip_det.evaluation import FineGrainedRankingMetric

INF = math.inf


def sample(image, long, short, region_scores):
    return dict(
        image_embedding=torch.tensor(image, dtype=torch.float),
        long_text_embedding=torch.tensor(long, dtype=torch.float),
        short_text_embedding=torch.tensor(short, dtype=torch.float),
        region_scores=torch.tensor(region_scores,
                                   dtype=torch.float).reshape(-1, 3))


def test_accuracy_and_recall_by_hand():
    samples = [
        # long caption 0 matches image 0; short caption 0 matches image 1.
        sample([1, 0], [1, 0], [0, 1],
               [[0.9, 0.1, 0.2],        # right
                [0.3, 0.5, -INF]]),     # wrong (a negative scores higher)
        sample([0, 1], [0, 1], [1, 0],
               [[0.4, 0.4, 0.1],        # a tie counts as wrong
                [0.7, -INF, -INF]]),    # no negative: not counted
        sample([0.8, 0.6], [0.6, 0.8], [0.8, 0.6], []),
    ]
    metric = FineGrainedRankingMetric(recall_ks=(1, 2))
    metric.process({}, samples)
    results = metric.compute_metrics(metric.results)

    assert results['hard_negative_top1'] == pytest.approx(100 / 3)
    # Long captions: every image and every caption ranks its match first
    # (image 2 [.8, .6] scores .96 with caption 2 [.6, .8], .8 and .6 else).
    assert results['long_i2t_R@1'] == pytest.approx(100)
    assert results['long_t2i_R@1'] == pytest.approx(100)
    # Short captions: images 0 and 1 rank their caption third (0 < .8 < 1,
    # 0 < .6 < 1), image 2 first; the same from the captions' side.
    for key in ('short_i2t_R@1', 'short_i2t_R@2', 'short_t2i_R@1'):
        assert results[key] == pytest.approx(100 / 3)


def test_without_negatives_only_recall_is_reported():
    metric = FineGrainedRankingMetric()
    metric.process({}, [sample([1, 0], [1, 0], [1, 0], [[0.5, -INF, -INF]])])
    results = metric.compute_metrics(metric.results)
    assert 'hard_negative_top1' not in results
    assert results['long_i2t_R@1'] == 100


def test_bad_recall_ks():
    with pytest.raises(ValueError, match='0'):
        FineGrainedRankingMetric(recall_ks=(0, ))
