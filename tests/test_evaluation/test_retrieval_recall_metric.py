"""RetrievalRecallMetric against hand-computed recalls."""
import pytest
import torch

from fgclip_det.evaluation import RetrievalRecallMetric
from fgclip_det.evaluation.functional import retrieval_recalls

# image 0 owns texts 0 and 1, image 1 owns text 2
IMAGES = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
TEXTS = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
OWNERS = torch.tensor([0, 0, 1])


def test_recalls_by_hand():
    recalls = retrieval_recalls(IMAGES, TEXTS, OWNERS, ks=(1, 2))
    # image 0: best text 0 (own); image 1: best text 1 (image 0's), then 2
    assert recalls['i2t_R@1'] == pytest.approx(50.0)
    assert recalls['i2t_R@2'] == pytest.approx(100.0)
    # text 0 -> image 0 ok, text 1 -> image 1 wrong, text 2 -> image 1 ok
    assert recalls['t2i_R@1'] == pytest.approx(200 / 3)
    assert recalls['t2i_R@2'] == pytest.approx(100.0)


def test_metric_groups_captions_by_sample():
    metric = RetrievalRecallMetric(recall_ks=(1, 2, 10))
    metric.process({}, [
        dict(image_embedding=IMAGES[0], text_embeddings=TEXTS[:2]),
        dict(image_embedding=IMAGES[1], text_embeddings=TEXTS[2:]),
    ])
    results = metric.evaluate(size=2)
    assert results['retrieval/i2t_R@1'] == pytest.approx(50.0)
    assert results['retrieval/t2i_R@1'] == pytest.approx(200 / 3)
    assert results['retrieval/i2t_R@10'] == results['retrieval/t2i_R@10'] == 100.0


def test_bad_ks():
    with pytest.raises(ValueError, match='recall_ks'):
        RetrievalRecallMetric(recall_ks=(0, ))
