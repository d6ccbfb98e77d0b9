"""FG-CLIP 2's hard-negative loss: contrastive + pair + CMR terms."""
from typing import Dict, Union

import torch
import torch.nn.functional as F
from mmengine.dist import all_reduce
from torch import Tensor

from fgclip_det.registry import MODELS

from ..base_contrastive_head import BaseContrastiveHead
from ..region_caption_logits import region_caption_logits


@MODELS.register_module()
class FGCLIP2HardNegativeHead(BaseContrastiveHead):
    """Tell a region's caption from its attribute-perturbed negatives.

    Public code ``fgclip2/model/strcs/fgclip2.py`` = T,
    ``hard_contrastive_total_loss`` (T:587-618). Each valid box has a region
    feature ``r_i`` and ``1 + K`` captions, its GT ``g_i`` at index 0 and
    ``K`` negatives ``h_ik`` (FineHARD: ``K = 10``); ``s`` is the
    exponentiated hard-negative scale. The total is
    ``loss_weight * (contrastive_weight * L_c + pair_weight * L_p +
    cmr_weight * L_cmr)``:

    - ``L_c`` (T:595-606): the mean of the cross-entropy of every region
      against ``[g_1..g_N ; h_11..h_NK]`` (target its own GT) and of every
      GT caption against ``[r_1..r_N]``.
    - ``L_p`` (``hard_contrastive_loss``, T:578-584): the ``1 + K``-way
      cross-entropy of each region's own captions, target 0.
    - ``L_cmr`` (``get_cmr_loss``, T:620-628): the mean over boxes and
      negatives of ``relu(threshold + s r_i.h_ik - s r_i.g_i)``.

    The CMR threshold is a buffer (checkpointed), 0 at first (T:85). Every
    training call uses the stored value, then stores the next one: the local
    ``mean_i(s r_i.g_i) - mean(nonzero s r_i.h_ik)`` (T:625-627), or the
    stored value on a rank without boxes (T:523-524), averaged over the real
    ranks (all-reduced sum divided by the real world size; the public code
    divides by a command-line value, T:526-527) and clamped to
    ``[0, threshold_max]`` (T:529-530). The threshold is thus the same on
    every rank, and every rank must call :meth:`loss` in every training
    step. In eval mode it is used but not updated.

    Args:
        loss_weight (float): Weight of the total. Defaults to 0.5 (T:510).
        contrastive_weight (float): Weight of ``L_c``. Defaults to 0.6.
        pair_weight (float): Weight of ``L_p``. Defaults to 3.0.
        cmr_weight (float): Weight of ``L_cmr``. Defaults to 0.4
            (T:614-616).
        threshold_max (float): Upper clamp of the threshold. Defaults to
            10.0 (T:529).
        **kwargs: The logit-scale settings (``logit_scale_hardneg`` by
            default) and ``init_cfg`` of :class:`BaseContrastiveHead`.
    """

    default_logit_scale_name = 'logit_scale_hardneg'

    def __init__(self,
                 *,
                 loss_weight: float = 0.5,
                 contrastive_weight: float = 0.6,
                 pair_weight: float = 3.0,
                 cmr_weight: float = 0.4,
                 threshold_max: float = 10.0,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.loss_weight = loss_weight
        self.contrastive_weight = contrastive_weight
        self.pair_weight = pair_weight
        self.cmr_weight = cmr_weight
        self.threshold_max = threshold_max
        self.register_buffer('cmr_threshold', torch.zeros(()))

    def loss(self, region_feats: Tensor, text_feats: Tensor,
             logit_scale: Union[Tensor, float]) -> Dict[str, Tensor]:
        """Compute the weighted loss and, in training, update the threshold.

        Args:
            region_feats (Tensor): L2-normalised features of the valid boxes
                of the local batch, shape ``(N, dim)``.
            text_feats (Tensor): L2-normalised captions of each box, GT at
                index 0 then its negatives, shape ``(N, 1 + K, dim)``.
            logit_scale (Tensor | float): Exponentiated hard-negative
                log-scale.

        Returns:
            dict[str, Tensor]: ``loss_hard_negative``, a weighted scalar; 0
            (still in the autograd graph) when ``N`` is 0.
        """
        rows = max(region_feats.shape[0], 1)
        gt_texts = text_feats[:, 0]
        all_texts = torch.cat([gt_texts, text_feats[:, 1:].flatten(0, 1)])
        targets = torch.arange(region_feats.shape[0],
                               device=region_feats.device)
        region_logits = logit_scale * region_feats @ all_texts.t()
        text_logits = logit_scale * gt_texts @ region_feats.t()
        contrastive = (
            F.cross_entropy(region_logits, targets, reduction='sum') +
            F.cross_entropy(text_logits, targets, reduction='sum')) / (2 * rows)

        pair_logits = region_caption_logits(region_feats, text_feats,
                                            logit_scale)
        pair = F.cross_entropy(
            pair_logits, torch.zeros_like(targets), reduction='sum') / rows

        pos, neg = pair_logits[:, :1], pair_logits[:, 1:]
        cmr = F.relu(self.cmr_threshold + neg - pos).sum() / max(neg.numel(), 1)
        loss = self.loss_weight * (self.contrastive_weight * contrastive +
                                   self.pair_weight * pair +
                                   self.cmr_weight * cmr)
        if self.training:
            self._update_threshold(pos.detach(), neg.detach())
        return dict(loss_hard_negative=loss)

    def _update_threshold(self, pos: Tensor, neg: Tensor) -> None:
        """Store ``clamp(mean over ranks of the local threshold)``."""
        if pos.numel() == 0:
            local = self.cmr_threshold.clone()
        else:
            nonzero = neg != 0
            neg_mean = (neg * nonzero).sum() / nonzero.sum().clamp(min=1)
            local = (pos.mean() - neg_mean).to(self.cmr_threshold)
        all_reduce(local, op='mean')
        self.cmr_threshold.copy_(local.clamp(0, self.threshold_max))
