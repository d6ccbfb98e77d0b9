"""Top-k and mean per-class accuracy of box or image classification."""
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.evaluator import BaseMetric

from fgclip_det.registry import METRICS

from .functional.ranking import check_ranks


@METRICS.register_module()
class ClassificationAccuracyMetric(BaseMetric):
    """Accuracy of classifying boxes (box classification) or images
    (zero-shot classification) into a fixed vocabulary.

    Reads ``pred_scores`` ``(N_i, num_classes)`` and ``gt_labels``
    ``(N_i,)`` of every sample (``CLIPBoxClassifier``,
    ``CLIPZeroShotClassifier``); keeps only the top ``max(topk)`` classes.

    Results (percentages over all boxes / images):

    - ``top{k}``: the true class among the ``k`` best scored, for each
      ``k`` in ``topk``;
    - ``mean_class_top1``: top-1 accuracy of each class present in the
      ground truth, averaged over those classes;
    - ``top1_{group}``: top-1 accuracy over the boxes of each group of
      ``class_groups`` (e.g. ``top1_novel``), and ``top1_other`` over the
      boxes of no group.

    Args:
        topk (Sequence[int]): Ranks accepted. Defaults to ``(1, 5)``.
        class_groups (dict[str, Sequence[int]], optional): Named groups of
            class indices (labels), e.g. ``dict(novel=[3, 7])`` for the
            open-vocabulary split. Defaults to none.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names. Defaults to
            ``'classification'``.
    """

    default_prefix = 'classification'

    def __init__(self,
                 topk: Sequence[int] = (1, 5),
                 class_groups: Optional[Dict[str, Sequence[int]]] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.topk = check_ranks(topk, 'topk')
        self.class_groups = {
            name: sorted(int(c) for c in classes)
            for name, classes in (class_groups or {}).items()
        }
        for name, classes in self.class_groups.items():
            if name == 'other' or not classes or min(classes) < 0:
                raise ValueError(
                    f"class_groups[{name!r}] must be a non-empty list of "
                    f"class indices >= 0 and not named 'other', got "
                    f'{(class_groups or {})[name]!r}')

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Keep the labels and the best ``max(topk)`` classes of a batch."""
        for sample in data_samples:
            scores = sample['pred_scores'].float()
            k = min(max(self.topk), scores.shape[-1])
            self.results.append(
                dict(labels=sample['gt_labels'].long().cpu(),
                     ranked=scores.topk(k, dim=-1).indices.cpu()))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Compute the accuracies of the whole set."""
        labels = torch.cat([r['labels'] for r in results])
        ranked = torch.cat([r['ranked'] for r in results])
        hits = ranked == labels[:, None]
        metrics = {
            f'top{k}': 100.0 * hits[:, :k].any(dim=1).float().mean().item()
            for k in self.topk
        }
        top1 = hits[:, 0].float()
        classes = labels.unique()
        per_class = torch.stack([top1[labels == c].mean() for c in classes])
        metrics['mean_class_top1'] = 100.0 * per_class.mean().item()
        if self.class_groups:
            grouped = torch.zeros_like(labels, dtype=torch.bool)
            for name, group in self.class_groups.items():
                members = torch.isin(labels, torch.tensor(group))
                grouped |= members
                metrics[f'top1_{name}'] = _percent(top1[members])
            metrics['top1_other'] = _percent(top1[~grouped])
        return metrics


def _percent(hits: torch.Tensor) -> float:
    """Mean of 0/1 hits in percent; NaN for none."""
    return 100.0 * hits.mean().item() if len(hits) else float('nan')
