"""Stage-1 loss of FG-CLIP: image <-> long and image <-> short captions."""
from typing import Dict, Union

from torch import Tensor

from fgclip_det.registry import MODELS

from .base_contrastive_head import BaseContrastiveHead
from .info_nce import symmetric_info_nce


@MODELS.register_module()
class GlobalContrastiveHead(BaseContrastiveHead):
    """Symmetric InfoNCE of images against their long and short captions.

    FG-CLIP (Xie et al., 2025) aligns every image with its long caption and
    with its short caption using one shared learnable temperature; features
    are all-gathered across ranks with gradients so every image sees the
    captions of the global batch as negatives. The head has no parameters:
    the model owns the temperature (``logit_scale`` unless
    ``logit_scale_name`` names another) and the pretrainer passes its
    exponentiated value.

    Args:
        loss_weight_long (float): Weight of the image <-> long caption loss.
            Defaults to 1.0.
        loss_weight_short (float): Weight of the image <-> short caption
            loss. Defaults to 1.0.
        gather (bool): Use the features of all ranks as negatives.
            Defaults to True.
        **kwargs: The logit-scale settings and ``init_cfg`` of
            :class:`BaseContrastiveHead`.
    """

    def __init__(self,
                 *,
                 loss_weight_long: float = 1.0,
                 loss_weight_short: float = 1.0,
                 gather: bool = True,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.loss_weight_long = loss_weight_long
        self.loss_weight_short = loss_weight_short
        self.gather = gather

    def loss(self, image_feats: Tensor, long_text_feats: Tensor,
             short_text_feats: Tensor,
             logit_scale: Union[Tensor, float]) -> Dict[str, Tensor]:
        """Compute the weighted global losses.

        Args:
            image_feats (Tensor): L2-normalised image features, shape
                ``(batch, dim)``.
            long_text_feats (Tensor): L2-normalised long-caption features,
                shape ``(batch, dim)``.
            short_text_feats (Tensor): L2-normalised short-caption features,
                shape ``(batch, dim)``.
            logit_scale (Tensor | float): Exponentiated temperature.

        Returns:
            dict[str, Tensor]: ``loss_global_long`` and ``loss_global_short``,
            scalars already multiplied by their weights.
        """
        return self.weighted(
            symmetric_info_nce(image_feats, long_text_feats, logit_scale,
                               gather=self.gather),
            symmetric_info_nce(image_feats, short_text_feats, logit_scale,
                               gather=self.gather))

    def weighted(self, loss_long: Tensor,
                 loss_short: Tensor) -> Dict[str, Tensor]:
        """``loss_global_long`` and ``loss_global_short`` times their weights."""
        return dict(
            loss_global_long=self.loss_weight_long * loss_long,
            loss_global_short=self.loss_weight_short * loss_short)
