"""Scores of each region against its own captions: the hard-negative logits."""
from typing import Optional, Union

import torch
from torch import Tensor


def region_caption_logits(region_feats: Tensor,
                          caption_feats: Tensor,
                          logit_scale: Union[Tensor, float] = 1.0,
                          mask: Optional[Tensor] = None) -> Tensor:
    """Scaled cosine of every region to each of its ``C`` captions.

    Args:
        region_feats (Tensor): L2-normalised region features ``(N, D)``.
        caption_feats (Tensor): L2-normalised captions of each region
            ``(N, C, D)``.
        logit_scale (Tensor | float): Multiplier of the cosines. Defaults to
            1.0 (the cosines).
        mask (Tensor, optional): Bool ``(N, C)``, False for padding, which
            scores ``-inf`` (after the scaling, so the scale's gradient stays
            finite). Defaults to None (all real).

    Returns:
        Tensor: ``(N, C)`` logits.
    """
    logits = logit_scale * torch.einsum('nd,ncd->nc', region_feats,
                                        caption_feats)
    if mask is None:
        return logits
    return logits.masked_fill(~mask, float('-inf'))


def hard_negative_logits(region_feats: Tensor,
                         pos_text_feats: Tensor,
                         neg_text_feats: Tensor,
                         logit_scale: Union[Tensor, float] = 1.0,
                         negative_mask: Optional[Tensor] = None) -> Tensor:
    """Scores of each region against its positive caption, then its ``K``
    hard negatives (FG-CLIP's hard-negative loss and ranking).

    Args:
        region_feats (Tensor): L2-normalised region features ``(N, D)``.
        pos_text_feats (Tensor): Each region's positive caption ``(N, D)``.
        neg_text_feats (Tensor): Its negative captions ``(N, K, D)``.
        logit_scale (Tensor | float): Multiplier of the cosines. Defaults to
            1.0.
        negative_mask (Tensor, optional): Bool ``(N, K)``, False for padded
            negatives. Defaults to None (all real).

    Returns:
        Tensor: ``(N, 1 + K)``, the positive in column 0, ``-inf`` at padding.
    """
    captions = torch.cat([pos_text_feats.unsqueeze(1), neg_text_feats], 1)
    mask = None
    if negative_mask is not None:
        mask = torch.cat([negative_mask.new_ones(len(negative_mask), 1),
                          negative_mask], 1)
    return region_caption_logits(region_feats, captions, logit_scale, mask)
