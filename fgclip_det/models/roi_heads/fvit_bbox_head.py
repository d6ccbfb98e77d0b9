"""F-ViT box head: shared convs + FCs, open-vocabulary classifier."""
from typing import Sequence, Union

import torch
from mmdet.models.roi_heads.bbox_heads import ConvFCBBoxHead
from mmdet.utils import OptConfigType
from torch import Tensor

from fgclip_det.models.roi_heads.text_embedding_classifier import (
    TextEmbeddingClassifier,
)
from fgclip_det.registry import MODELS


@MODELS.register_module()
class FViTBBoxHead(ConvFCBBoxHead):
    """Box head of F-ViT (CLIPSelf, Wu et al., ICLR 2024).

    An mmdet ``ConvFCBBoxHead`` (F-ViT: 4 shared convs + 2 shared FCs,
    class-agnostic regression) whose classifier comes from
    ``cls_predictor_cfg``, e.g. a ``TextEmbeddingClassifier``. Training sees
    base classes only: novel logits are set to ``-inf`` before the loss, so
    they take no part in the softmax and get no gradient (a training box
    labelled with a novel class would make the loss infinite). At test time
    every class is scored.

    Args:
        novel_class_ids (Sequence[int]): Indices of the novel classes among
            ``num_classes``. Defaults to () (all classes are base).
        background_weight (float): Weight of the background class in the
            cross-entropy (0.6 for OV-COCO, 0.9 for OV-LVIS). Defaults to
            1.0.
        num_classes (int): Number of classes, base and novel.
        loss_cls (dict, optional): Softmax classification loss; its
            ``class_weight`` is set here. Defaults to None: mmdet's
            ``CrossEntropyLoss``.
        **kwargs: Other arguments of ``ConvFCBBoxHead``.
    """

    def __init__(self,
                 *,
                 novel_class_ids: Sequence[int] = (),
                 background_weight: float = 1.0,
                 num_classes: int,
                 loss_cls: OptConfigType = None,
                 **kwargs) -> None:
        bad = [i for i in novel_class_ids if not 0 <= i < num_classes]
        if bad:
            raise ValueError(f'novel_class_ids {bad} are outside '
                             f'[0, {num_classes})')
        loss_cls = loss_cls or dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)
        class_weight = [1.0] * num_classes + [float(background_weight)]
        super().__init__(
            num_classes=num_classes,
            loss_cls=dict(loss_cls, class_weight=class_weight),
            **kwargs)
        novel_mask = torch.zeros(num_classes + 1, dtype=torch.bool)
        novel_mask[list(novel_class_ids)] = True
        self.register_buffer('novel_mask', novel_mask, persistent=False)

    def loss(self, cls_score: Tensor, *args, **kwargs) -> dict:
        """The mmdet ``BBoxHead`` loss with the novel classes masked out.

        Args:
            cls_score (Tensor): ``(num_rois, num_classes + 1)`` logits.
            *args, **kwargs: The other arguments of ``BBoxHead.loss``.

        Returns:
            dict[str, Tensor]: ``loss_cls``, ``acc``, ``loss_bbox``.
        """
        if cls_score is not None:
            cls_score = cls_score.masked_fill(self.novel_mask, float('-inf'))
        return super().loss(cls_score, *args, **kwargs)

    def set_vocabulary(self, embeddings: Tensor,
                       novel_mask: Union[Sequence[bool], Tensor]) -> None:
        """Score RoIs against other classes, for inference.

        The classifier takes the new embeddings, ``num_classes`` and
        ``novel_mask`` (with the background last, never novel) follow. Box
        regression must be class-agnostic; the loss keeps its class weights,
        so the head is then fit for inference only.

        Args:
            embeddings (Tensor): ``(num_classes, dim)`` class text embeddings.
            novel_mask (Sequence[bool] | Tensor): ``num_classes`` flags, True
                for novel classes.

        Raises:
            ValueError: Without a ``TextEmbeddingClassifier`` or
                class-agnostic regression, or for a ``novel_mask`` that is
                not one bool per embedding, or embeddings the classifier
                does not take (see
                :meth:`TextEmbeddingClassifier.set_embeddings`).
        """
        if not isinstance(self.fc_cls, TextEmbeddingClassifier):
            raise ValueError('a new vocabulary needs a TextEmbeddingClassifier'
                             f', got {type(self.fc_cls).__name__}')
        if not self.reg_class_agnostic:
            raise ValueError('a new vocabulary needs class-agnostic box '
                             'regression')
        novel_mask = torch.as_tensor(novel_mask, device=self.novel_mask.device)
        if (novel_mask.dtype != torch.bool
                or novel_mask.shape != embeddings.shape[:1]):
            raise ValueError(
                'novel_mask must hold one bool per class of the embeddings '
                f'{tuple(embeddings.shape)}, got {novel_mask.dtype} of shape '
                f'{tuple(novel_mask.shape)}')
        self.fc_cls.set_embeddings(embeddings)
        self.num_classes = len(novel_mask)
        self.register_buffer(
            'novel_mask', torch.cat([novel_mask, novel_mask.new_zeros(1)]),
            persistent=False)
