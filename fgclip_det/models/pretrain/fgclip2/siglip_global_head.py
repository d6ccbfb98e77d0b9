"""FG-CLIP 2's global loss: SigLIP's sigmoid loss, image <-> captions."""
from typing import Dict, Union

import torch
import torch.nn.functional as F
from torch import Tensor

from fgclip_det.registry import MODELS

from ..gather_with_grad import gather_with_grad
from ..global_contrastive_head import GlobalContrastiveHead


def sigmoid_contrastive_loss(image_feats: Tensor,
                             text_feats: Tensor,
                             logit_scale: Union[Tensor, float],
                             logit_bias: Union[Tensor, float],
                             *,
                             gather: bool = False) -> Tensor:
    """SigLIP's pairwise sigmoid loss of local images against the captions.

    With logits ``z_ij = logit_scale * x_i . t_j + logit_bias`` and
    ``y_ij = +1`` for an image's own caption, ``-1`` otherwise, the loss is
    ``-sum_ij logsigmoid(y_ij z_ij) / n_local`` (public code
    ``fgclip2/model/strcs/fgclip2.py`` = T:630-653), summed in at least
    float32 as T:652 does.

    With ``gather`` the captions of all ranks are all-gathered with gradient
    and every local image also gets the negative-only terms against the
    other ranks' captions (T:656-670). The public code loops over
    ``self.world_size``, a command-line value (``train_use_word_size``,
    default 8, ``fgclip2/train/train_fgclip2.py``:566) rather than the real
    world size; here the gathered captions are exactly those of the real
    ranks, scored in one matrix (the sum of the loop's terms).

    Each rank divides by its own image count, so with ``W`` ranks of equal
    batches the ranks' losses sum to ``W`` times the loss of one process
    holding the whole batch (their mean equals it), and after DDP averages
    the gradients they equal that process's gradients.

    Args:
        image_feats (Tensor): L2-normalised image features, ``(n, dim)``.
        text_feats (Tensor): L2-normalised paired caption features,
            ``(n, dim)``.
        logit_scale (Tensor | float): Exponentiated learnable log-scale.
        logit_bias (Tensor | float): Learnable bias.
        gather (bool): Add the captions of all ranks as negatives.
            Defaults to False.

    Returns:
        Tensor: Scalar loss; 0, still in the autograd graph, with no local
        image.
    """
    if image_feats.shape != text_feats.shape:
        raise ValueError(f'paired features differ in shape: '
                         f'{tuple(image_feats.shape)} vs '
                         f'{tuple(text_feats.shape)}')
    all_texts, offset = (gather_with_grad(text_feats) if gather else
                         (text_feats, 0))
    logits = logit_scale * image_feats @ all_texts.t() + logit_bias
    logits = logits.to(torch.promote_types(logits.dtype, torch.float32))
    rows = torch.arange(image_feats.shape[0], device=logits.device)
    cols = torch.arange(all_texts.shape[0], device=logits.device)
    labels = torch.where(cols[None] == rows[:, None] + offset, 1.0, -1.0)
    loss = -F.logsigmoid(labels.to(logits.dtype) * logits).sum()
    return loss / max(image_feats.shape[0], 1)


@MODELS.register_module()
class SigLIPGlobalHead(GlobalContrastiveHead):
    """Sigmoid loss of images against their long and short captions.

    FG-CLIP 2 sums the SigLIP loss of (image, long caption) and of (image,
    short caption) with weight 1 each and one shared ``logit_scale`` /
    ``logit_bias`` (T:462-482). The head has no parameters: the model owns
    both and the pretrainer passes the exponentiated scale and the bias.
    The arguments are those of :class:`GlobalContrastiveHead`; ``gather``
    uses the captions of all ranks as negatives (T:656-670).
    """

    def loss(self, image_feats: Tensor, long_text_feats: Tensor,
             short_text_feats: Tensor, logit_scale: Union[Tensor, float],
             logit_bias: Union[Tensor, float]) -> Dict[str, Tensor]:
        """Compute the weighted global losses: the arguments and the result
        of :meth:`GlobalContrastiveHead.loss`, and ``logit_bias`` (Tensor |
        float), the bias of the logits."""
        return self.weighted(
            sigmoid_contrastive_loss(image_feats, long_text_feats, logit_scale,
                                     logit_bias, gather=self.gather),
            sigmoid_contrastive_loss(image_feats, short_text_feats,
                                     logit_scale, logit_bias,
                                     gather=self.gather))
