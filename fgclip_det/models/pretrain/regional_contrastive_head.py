"""Stage-2 regional loss of FG-CLIP: region features <-> region captions."""
from typing import Dict, Optional, Union

from torch import Tensor

from fgclip_det.registry import MODELS

from .base_contrastive_head import BaseContrastiveHead
from .info_nce import symmetric_info_nce


@MODELS.register_module()
class RegionalContrastiveHead(BaseContrastiveHead):
    """Symmetric InfoNCE of region features against their region captions.

    Every valid region of the batch is a positive for its own caption and a
    negative for all other region captions (FG-CLIP, stage 2). Regions may be
    given flat, ``(num_regions, dim)``, or padded per image,
    ``(batch, max_regions, dim)``, with a validity mask of the leading shape
    (selecting rows by the mask waits for the device on a GPU; the
    pretrainer passes flat regions, which do not).
    The model owns the regional temperature (``logit_scale_region`` unless
    ``logit_scale_name`` names another) and the pretrainer passes its
    exponentiated value.

    Args:
        loss_weight (float): Weight of the loss. Defaults to 0.1 (FG-CLIP).
        gather (bool): Use the regions of all ranks as negatives. Defaults
            to False: each rank contrasts the regions of its own batch.
        **kwargs: The logit-scale settings and ``init_cfg`` of
            :class:`BaseContrastiveHead`.
    """

    default_logit_scale_name = 'logit_scale_region'

    def __init__(self,
                 *,
                 loss_weight: float = 0.1,
                 gather: bool = False,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.loss_weight = loss_weight
        self.gather = gather

    def loss(self,
             region_feats: Tensor,
             text_feats: Tensor,
             logit_scale: Union[Tensor, float],
             valid_mask: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """Compute the weighted regional loss.

        Args:
            region_feats (Tensor): L2-normalised region features, shape
                ``(num_regions, dim)`` or ``(batch, max_regions, dim)``.
            text_feats (Tensor): L2-normalised features of the region
                captions, the same shape.
            logit_scale (Tensor | float): Exponentiated temperature.
            valid_mask (Tensor, optional): Bool mask of the leading shape,
                True for real regions, False for padding. Defaults to None
                (all valid).

        Returns:
            dict[str, Tensor]: ``loss_region``, a weighted scalar; 0 (still
            in the autograd graph) when there is no region.
        """
        if valid_mask is not None:
            region_feats = region_feats[valid_mask]
            text_feats = text_feats[valid_mask]
        dim = region_feats.shape[-1]
        loss = symmetric_info_nce(
            region_feats.reshape(-1, dim),
            text_feats.reshape(-1, dim),
            logit_scale,
            gather=self.gather)
        return dict(loss_region=self.loss_weight * loss)
