"""Evaluation functions on plain arrays (no registry)."""
from .confusion_matrix import detection_confusion_matrix, match_image

__all__ = ['detection_confusion_matrix', 'match_image']
