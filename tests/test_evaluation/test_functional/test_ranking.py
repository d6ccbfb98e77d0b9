"""The shared ranking functions against values counted by hand."""
import math

import pytest
import torch

from fgclip_det.evaluation.functional import (
    check_ranks,
    positive_ranked_first,
    recall_at_k,
    retrieval_recalls,
)


def test_check_ranks():
    assert check_ranks([1, 5], 'topk') == (1, 5)
    for bad in ((), (1, 0)):
        with pytest.raises(ValueError, match='recall_ks must be ranks >= 1'):
            check_ranks(bad, 'recall_ks')


def test_positive_ranked_first():
    scores = torch.tensor([[0.9, 0.1, 0.2],         # first
                           [0.3, 0.5, -math.inf],   # a negative above it
                           [0.4, 0.4, 0.1],         # a tie is not first
                           [0.7, -math.inf, 0.6]])  # padding never wins
    assert positive_ranked_first(scores).tolist() == [True, False, False, True]
    assert not positive_ranked_first(torch.tensor([0.2, 0.3]))
    assert positive_ranked_first(torch.tensor([0.3, 0.2, -1.0]))


def test_recall_at_k():
    similarity = torch.tensor([[0.9, 0.1, 0.5],
                               [0.2, 0.3, 0.8]])
    matches = torch.tensor([[False, False, True],
                            [True, False, False]])
    # query 0 ranks its match 2nd, query 1 ranks its match 3rd
    assert [recall_at_k(similarity, matches, k) for k in (1, 2, 3, 10)] == [
        0.0, 50.0, 100.0, 100.0]


def test_retrieval_recalls_one_caption_an_image():
    images = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.8, 0.6]])
    texts = torch.tensor([[0.0, 1.0], [1.0, 0.0], [0.8, 0.6]])
    # image 0 -> texts 1 (1.0), 2 (.8), 0 (0); image 1 -> 0 (1.0), 2, 1;
    # image 2 -> 2 (1.0), 1 (.8), 0 (.6); text t2i the same by symmetry
    recalls = retrieval_recalls(images, texts, torch.arange(3), ks=(1, 2, 3))
    assert recalls == pytest.approx({
        'i2t_R@1': 100 / 3, 't2i_R@1': 100 / 3,
        'i2t_R@2': 100 / 3, 't2i_R@2': 100 / 3,
        'i2t_R@3': 100.0, 't2i_R@3': 100.0})
    assert list(recalls) == ['i2t_R@1', 't2i_R@1', 'i2t_R@2', 't2i_R@2',
                             'i2t_R@3', 't2i_R@3']
