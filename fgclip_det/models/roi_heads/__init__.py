"""RoI heads and box classifiers of open-vocabulary detectors."""
from .fvit_bbox_head import FViTBBoxHead
from .fvit_roi_head import FViTRoIHead, geometric_ensemble
from .text_embedding_classifier import TextEmbeddingClassifier

__all__ = [
    'FViTBBoxHead', 'FViTRoIHead', 'TextEmbeddingClassifier',
    'geometric_ensemble'
]
