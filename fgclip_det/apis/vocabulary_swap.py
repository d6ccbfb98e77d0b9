"""Give a built F-ViT detector another vocabulary, for inference."""
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from fgclip_det.models.roi_heads.fvit_bbox_head import FViTBBoxHead
from fgclip_det.models.roi_heads.text_embedding_classifier import (
    TextEmbeddingClassifier,
)


def set_detector_vocabulary(detector: nn.Module, embeddings: Tensor,
                            novel: Sequence[bool]) -> None:
    """Replace the class text embeddings of an F-ViT detector in place.

    The box classifier scores RoIs against the new embeddings, the CLIP
    ensemble of ``FViTRoIHead`` uses them and weighs each class as base or
    novel as given. Box regression is class-agnostic, so nothing else
    depends on the classes. The detector is then fit for inference only
    (the training loss keeps its class weights).

    Args:
        detector (nn.Module): An ``FViT`` (an ``FViTBBoxHead`` with a
            ``TextEmbeddingClassifier``, class-agnostic regression, and a
            class-agnostic mask head if any).
        embeddings (Tensor): ``(num_classes, dim)`` class text embeddings.
        novel (Sequence[bool]): ``num_classes`` flags: True for classes the
            detector was not trained on (CLIP weight ``clip_beta``), False
            for its base classes (``clip_alpha``).
    """
    roi_head = detector.roi_head
    bbox_head = roi_head.bbox_head
    classifier = getattr(bbox_head, 'fc_cls', None)
    if not (isinstance(bbox_head, FViTBBoxHead)
            and isinstance(classifier, TextEmbeddingClassifier)):
        raise ValueError('a new vocabulary needs an FViTBBoxHead with a '
                         f'TextEmbeddingClassifier, got {type(bbox_head).__name__}'
                         f' with {type(classifier).__name__}')
    if not bbox_head.reg_class_agnostic:
        raise ValueError('a new vocabulary needs class-agnostic box regression')
    mask_head = getattr(roi_head, 'mask_head', None)
    if mask_head is not None and not getattr(mask_head, 'class_agnostic', False):
        raise ValueError('a new vocabulary needs a class-agnostic mask head')
    if embeddings.dim() != 2 or len(novel) != len(embeddings):
        raise ValueError(f'{len(novel)} novel flags for embeddings of shape '
                         f'{tuple(embeddings.shape)}')
    dim = classifier.proj.out_features
    if embeddings.shape[1] != dim:
        raise ValueError(f'embeddings of width {embeddings.shape[1]}; the '
                         f'classifier expects {dim}')

    device = classifier.proj.weight.device
    embeddings = F.normalize(embeddings.detach().float(), dim=-1).to(device)
    if isinstance(classifier.embeddings, nn.Parameter):
        classifier.embeddings = nn.Parameter(embeddings, requires_grad=False)
    else:
        classifier.embeddings = embeddings
    num_classes = len(embeddings)
    classifier.out_features = num_classes + 1
    bbox_head.num_classes = num_classes
    bbox_head.novel_mask = torch.tensor([*novel, False], dtype=torch.bool,
                                        device=device)
    if mask_head is not None:
        mask_head.num_classes = num_classes
