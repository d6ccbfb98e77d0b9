"""Evaluation: metrics registered in ``fgclip_det.registry.METRICS``.

Importing this package (which the METRICS registry does lazily) makes mmdet's
``LVISMetric`` work with numpy 2, see :mod:`fgclip_det.compat.lvis_numpy`.
"""
from fgclip_det.compat import patch_lvis_numpy_aliases

from .classification_accuracy_metric import ClassificationAccuracyMetric
from .fgovd_accuracy_metric import FGOVDAccuracyMetric
from .fine_grained_ranking_metric import FineGrainedRankingMetric
from .ov_coco_metric import OVCocoMetric
from .recall_at_k_metric import RecallAtKMetric
from .retrieval_recall_metric import RetrievalRecallMetric

patch_lvis_numpy_aliases()

__all__ = [
    'ClassificationAccuracyMetric', 'FGOVDAccuracyMetric',
    'FineGrainedRankingMetric', 'OVCocoMetric', 'RecallAtKMetric',
    'RetrievalRecallMetric'
]
