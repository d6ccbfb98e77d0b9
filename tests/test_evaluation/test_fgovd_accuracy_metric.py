"""FGOVDAccuracyMetric against hand-computed accuracies."""
import pytest
import torch

from fgclip_det.evaluation import FGOVDAccuracyMetric


def test_accuracy_per_difficulty():
    metric = FGOVDAccuracyMetric()
    metric.process({}, [
        dict(test_type='1_attributes', text_scores=torch.tensor([0.9, 0.1, 0.5])),
        # a tie with a negative is not a success
        dict(test_type='1_attributes', text_scores=torch.tensor([0.5, 0.5, 0.1])),
        dict(test_type='2_attributes', text_scores=torch.tensor([0.2, 0.3])),
        dict(test_type='shuffle_negatives', text_scores=torch.tensor([1.0, 0.0])),
        dict(test_type='color', text_scores=torch.tensor([0.4, 0.1, 0.3])),
    ])
    results = metric.evaluate(size=5)
    assert results == pytest.approx({
        'fgovd/hard': 50.0, 'fgovd/medium': 0.0, 'fgovd/trivial': 100.0,
        'fgovd/color': 100.0
    })
