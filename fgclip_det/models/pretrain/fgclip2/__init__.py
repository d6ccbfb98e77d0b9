"""FG-CLIP 2's stage-2 training losses (public code: 360CVGroup/FG-CLIP,
``fgclip2/model/strcs/fgclip2.py``, ``FG_CLIP2_Model.forward``).

Total: ``loss_global_long + loss_global_short`` (:class:`SigLIPGlobalHead`)
+ 0.2 region ITC + 0.1 TIC (:class:`TextualIntraContrastiveLoss`) + 0.5
hard negatives (:class:`FGCLIP2HardNegativeHead`). The region ITC
(``pairwise_contrastive_loss``, T:555-564: symmetric cross-entropy with
identity targets, local regions only, its own exponentiated scale) is
exactly ``RegionalContrastiveHead(loss_weight=0.2, gather=False)``.
"""
from .hard_negative_head import FGCLIP2HardNegativeHead
from .siglip_global_head import SigLIPGlobalHead, sigmoid_contrastive_loss
from .textual_intra_contrastive_loss import TextualIntraContrastiveLoss

__all__ = [
    'FGCLIP2HardNegativeHead', 'SigLIPGlobalHead',
    'TextualIntraContrastiveLoss', 'sigmoid_contrastive_loss'
]
