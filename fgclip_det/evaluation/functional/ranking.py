"""Ranking measures shared by the metrics: positive first, recall at k."""
from typing import Dict, Sequence, Tuple

import torch
from torch import Tensor


def check_ranks(ks: Sequence[int], name: str) -> Tuple[int, ...]:
    """``ks`` as a tuple of ints, each a rank >= 1.

    Args:
        ks (Sequence[int]): Ranks, e.g. a metric's ``recall_ks``.
        name (str): The argument's name, for the error.

    Raises:
        ValueError: If ``ks`` is empty or holds a rank below 1.
    """
    if not ks or any(int(k) < 1 for k in ks):
        raise ValueError(f'{name} must be ranks >= 1, got {ks}')
    return tuple(int(k) for k in ks)


def positive_ranked_first(scores: Tensor) -> Tensor:
    """Whether the positive scores strictly above every negative.

    Args:
        scores (Tensor): ``(..., 1 + K)``, the positive first, ``K >= 1``;
            a tie with a negative is not a success, a ``-inf`` negative
            (padding) never wins.

    Returns:
        Tensor: ``(...)`` bool.
    """
    return scores[..., 0] > scores[..., 1:].max(dim=-1).values


def recall_at_k(similarity: Tensor, matches: Tensor, k: int) -> float:
    """Percentage of queries with a match among their ``k`` best candidates.

    Args:
        similarity (Tensor): ``(Q, C)`` scores of queries (rows) against
            candidates (columns).
        matches (Tensor): ``(Q, C)`` bool, the right candidates of each
            query.
        k (int): Ranks accepted (all candidates if fewer than ``k``).
    """
    best = similarity.topk(min(k, similarity.shape[1]), dim=1).indices
    return 100.0 * matches.gather(1, best).any(dim=1).float().mean().item()


def retrieval_recalls(images: Tensor, texts: Tensor, text_to_image: Tensor,
                      ks: Sequence[int]) -> Dict[str, float]:
    """Recall at k in both directions, in percent.

    Image -> text: an image is recalled when any of its captions is among
    the ``k`` best scored texts; text -> image: a caption is recalled when
    its image is among the ``k`` best scored images.

    Args:
        images (Tensor): ``(N, D)`` L2-normalised image embeddings.
        texts (Tensor): ``(T, D)`` L2-normalised caption embeddings.
        text_to_image (Tensor): ``(T,)`` index of each caption's image.
        ks (Sequence[int]): Ranks.

    Returns:
        dict[str, float]: ``i2t_R@k`` and ``t2i_R@k`` for every ``k``.
    """
    similarity = images @ texts.t()
    owns = text_to_image[None, :] == torch.arange(len(images))[:, None]
    recalls = {}
    for k in ks:
        recalls[f'i2t_R@{k}'] = recall_at_k(similarity, owns, k)
        recalls[f't2i_R@{k}'] = recall_at_k(similarity.t(), owns.t(), k)
    return recalls
