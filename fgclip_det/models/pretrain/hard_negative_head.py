"""Stage-2 hard-negative loss of FG-CLIP."""
from typing import Dict, Optional, Union

import torch
import torch.nn.functional as F
from torch import Tensor

from fgclip_det.registry import MODELS

from .base_contrastive_head import BaseContrastiveHead
from .region_caption_logits import hard_negative_logits


@MODELS.register_module()
class HardNegativeHead(BaseContrastiveHead):
    """Pick a region's caption among captions with one attribute changed.

    For every region the logits are the scaled cosine similarities to its
    positive caption followed by its ``K`` hard-negative captions (FineHARD:
    ``K = 10``); the loss is the cross-entropy with the positive at index 0,
    averaged over the regions that have negatives. The model owns the
    hard-negative temperature (``logit_scale_hardneg`` unless
    ``logit_scale_name`` names another) and the pretrainer passes its
    exponentiated value.

    Args:
        loss_weight (float): Weight of the loss. Defaults to 0.5 (FG-CLIP).
        **kwargs: The logit-scale settings and ``init_cfg`` of
            :class:`BaseContrastiveHead`.
    """

    default_logit_scale_name = 'logit_scale_hardneg'

    def __init__(self, *, loss_weight: float = 0.5, **kwargs) -> None:
        super().__init__(**kwargs)
        self.loss_weight = loss_weight

    def loss(self,
             region_feats: Tensor,
             pos_text_feats: Tensor,
             neg_text_feats: Tensor,
             logit_scale: Union[Tensor, float],
             negative_mask: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """Compute the weighted hard-negative loss.

        Args:
            region_feats (Tensor): L2-normalised region features, shape
                ``(num_regions, dim)``.
            pos_text_feats (Tensor): L2-normalised features of each region's
                own caption, shape ``(num_regions, dim)``.
            neg_text_feats (Tensor): L2-normalised features of its negative
                captions, shape ``(num_regions, K, dim)``.
            logit_scale (Tensor | float): Exponentiated temperature.
            negative_mask (Tensor, optional): Bool ``(num_regions, K)``, True
                for real negatives, False for padding. Regions without a real
                negative are left out. Defaults to None (all real).

        Returns:
            dict[str, Tensor]: ``loss_hard_negative``, a weighted scalar; 0
            (still in the autograd graph) when no region has negatives.
        """
        logits = hard_negative_logits(region_feats, pos_text_feats,
                                      neg_text_feats, logit_scale,
                                      negative_mask)
        if negative_mask is None:
            negative_mask = logits.new_ones(neg_text_feats.shape[:2],
                                            dtype=torch.bool)
        # A region without negatives has one finite logit, so its loss is
        # exactly 0: weighting by ``has_negatives`` leaves it out without a
        # data-dependent selection, which would wait for the device.
        has_negatives = negative_mask.any(1)
        targets = logits.new_zeros(logits.shape[0], dtype=torch.long)
        per_region = F.cross_entropy(logits, targets, reduction='none')
        loss = per_region.masked_fill(~has_negatives, 0).sum()
        return dict(loss_hard_negative=self.loss_weight * loss /
                    has_negatives.sum().clamp(min=1))
