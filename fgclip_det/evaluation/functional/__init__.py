"""Evaluation functions on plain arrays (no registry)."""
from .confusion_matrix import detection_confusion_matrix, match_image
from .ranking import (
    check_ranks,
    positive_ranked_first,
    recall_at_k,
    retrieval_recalls,
)

__all__ = [
    'check_ranks', 'detection_confusion_matrix', 'match_image',
    'positive_ranked_first', 'recall_at_k', 'retrieval_recalls'
]
