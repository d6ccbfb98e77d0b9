"""Give a built F-ViT detector another vocabulary, for inference."""
from typing import Sequence, Union

from torch import Tensor, nn

from fgclip_det.models.roi_heads.fvit_roi_head import FViTRoIHead


def set_detector_vocabulary(detector: nn.Module, embeddings: Tensor,
                            novel: Union[Sequence[bool], Tensor]) -> None:
    """Replace the class text embeddings of an F-ViT detector in place.

    The box classifier scores RoIs against the new embeddings, the CLIP
    ensemble of ``FViTRoIHead`` uses them and weighs each class as base or
    novel as given (:meth:`FViTRoIHead.set_vocabulary`). The detector is
    then fit for inference only (the training loss keeps its class weights).

    Args:
        detector (nn.Module): An ``FViT`` (an ``FViTRoIHead`` whose
            ``FViTBBoxHead`` has a ``TextEmbeddingClassifier`` and
            class-agnostic regression, and a class-agnostic mask head if
            any).
        embeddings (Tensor): ``(num_classes, dim)`` class text embeddings.
        novel (Sequence[bool] | Tensor): ``num_classes`` flags: True for
            classes the detector was not trained on (CLIP weight
            ``clip_beta``), False for its base classes (``clip_alpha``).

    Raises:
        ValueError: For another RoI head, or what
            :meth:`FViTRoIHead.set_vocabulary` rejects.
    """
    roi_head = getattr(detector, 'roi_head', None)
    if not isinstance(roi_head, FViTRoIHead):
        raise ValueError('a new vocabulary needs an FViTRoIHead, got '
                         f'{type(roi_head).__name__}')
    roi_head.set_vocabulary(embeddings, novel)
