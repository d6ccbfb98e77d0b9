"""Symmetric InfoNCE between two sets of paired, L2-normalised features."""
from typing import Union

import torch
import torch.nn.functional as F
from torch import Tensor

from .gather_with_grad import gather_with_grad


def symmetric_info_nce(feats_a: Tensor,
                       feats_b: Tensor,
                       logit_scale: Union[Tensor, float],
                       *,
                       gather: bool = False) -> Tensor:
    """CLIP's contrastive loss: row ``i`` of ``feats_a`` matches row ``i`` of
    ``feats_b`` and every other row of the batch is a negative.

    The loss is the mean of the cross-entropy over ``a -> b`` logits and the
    cross-entropy over ``b -> a`` logits, each averaged over the local rows.

    Args:
        feats_a (Tensor): L2-normalised features, shape ``(n, dim)``.
        feats_b (Tensor): Their paired L2-normalised features, ``(n, dim)``.
        logit_scale (Tensor | float): The multiplier of the cosine
            similarities (the exponentiated learnable temperature).
        gather (bool): Use the rows of all ranks as negatives
            (:func:`gather_with_grad`); local rows are then scored against
            the global batch. Defaults to False.

    Returns:
        Tensor: Scalar loss. With no local rows it is 0 and still part of the
        autograd graph, so every rank runs the same backward pass.
    """
    if feats_a.shape != feats_b.shape:
        raise ValueError(f'paired features differ in shape: '
                         f'{tuple(feats_a.shape)} vs {tuple(feats_b.shape)}')
    if gather:
        all_a, offset = gather_with_grad(feats_a)
        all_b, _ = gather_with_grad(feats_b)
    else:
        all_a, all_b, offset = feats_a, feats_b, 0
    num_rows = feats_a.shape[0]
    targets = torch.arange(num_rows, device=feats_a.device) + offset
    logits_ab = logit_scale * feats_a @ all_b.t()
    logits_ba = logit_scale * feats_b @ all_a.t()
    loss = (F.cross_entropy(logits_ab, targets, reduction='sum') +
            F.cross_entropy(logits_ba, targets, reduction='sum'))
    return loss / (2 * max(num_rows, 1))
