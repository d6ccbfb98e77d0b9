"""FG-CLIP 2's textual intra-modal contrastive (TIC) loss on region texts."""
import logging
from typing import Optional

import torch
from mmengine.logging import print_log
from mmengine.model import BaseModule
from torch import Tensor

from fgclip_det.registry import MODELS


@MODELS.register_module()
class TextualIntraContrastiveLoss(BaseModule):
    """Push each region caption away from its most similar other captions.

    Public code ``fgclip2/model/strcs/fgclip2.py`` = T, ``PNTextLoss`` and
    ``hard_category_contrastive_loss`` (T:35-43, 566-576): with ``S = T T^T``
    on the L2-normalised region-caption features, the diagonal set to 0 and
    every entry above ``duplicate_threshold`` set to 0 (near-duplicates), the
    loss is the mean over rows of ``log(sum(exp(topk(S_row, k))))``. There is
    no temperature and no positive. The zeroed entries stay in the row, so a
    row's candidates are all ``M`` entries and a 0 counts ``exp(0) = 1`` when
    it is among the top ``k``.

    Fewer captions than ``k``: ``topk`` fails in the public code and its bare
    ``except`` drops this term, the hard-negative term and the threshold
    update of the step (T:485-533). Here the row's ``min(k, M)`` largest
    entries are used instead; each such call is counted in
    :attr:`num_truncated` and the first one is logged as a warning.

    Args:
        loss_weight (float): Weight of the loss. Defaults to 0.1 (T:489).
        topk (int): Number of most similar captions per row. Defaults to 10
            (T:573).
        duplicate_threshold (float): Similarities above it are treated as
            duplicates and set to 0. Defaults to 0.95 (T:572).
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 *,
                 loss_weight: float = 0.1,
                 topk: int = 10,
                 duplicate_threshold: float = 0.95,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.loss_weight = loss_weight
        self.topk = topk
        self.duplicate_threshold = duplicate_threshold
        self.num_truncated = 0

    def forward(self, text_feats: Tensor) -> Tensor:
        """Compute the weighted loss.

        Args:
            text_feats (Tensor): L2-normalised features of the valid region
                captions of the local batch, shape ``(M, dim)``.

        Returns:
            Tensor: Weighted scalar loss; 0, still in the autograd graph,
            when ``M`` is 0.
        """
        num = text_feats.shape[0]
        if num == 0:
            return text_feats.sum() * 0
        k = min(self.topk, num)
        if k < self.topk:
            if self.num_truncated == 0:
                print_log(
                    f'TextualIntraContrastiveLoss: {num} region captions, '
                    f'fewer than topk={self.topk}; using the top {k} '
                    f'(further cases are counted in num_truncated)',
                    logger='current', level=logging.WARNING)
            self.num_truncated += 1
        sims = text_feats @ text_feats.t()
        eye = torch.eye(num, dtype=torch.bool, device=sims.device)
        sims = sims.masked_fill(eye, 0)
        sims = sims.masked_fill(sims > self.duplicate_threshold, 0)
        top = sims.topk(k, dim=1).values
        return self.loss_weight * torch.logsumexp(top, dim=1).mean()
