"""The base of the metrics that report recall at several ranks k."""
from typing import Optional, Sequence, Tuple

from mmengine.evaluator import BaseMetric

from .functional.ranking import check_ranks


class RecallAtKMetric(BaseMetric):
    """A metric with ``recall_ks``, the ranks its recalls are reported at.

    Args:
        recall_ks (Sequence[int], optional): Ranks, each >= 1. Defaults to
            the class's ``default_recall_ks``.
        collect_device (str): ``'cpu'`` or ``'gpu'``, where results of all
            ranks are gathered. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names. Defaults to the
            class's ``default_prefix``.
    """

    default_recall_ks: Tuple[int, ...] = (1, )

    def __init__(self,
                 recall_ks: Optional[Sequence[int]] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if recall_ks is None:
            recall_ks = self.default_recall_ks
        self.recall_ks = check_ranks(recall_ks, 'recall_ks')
