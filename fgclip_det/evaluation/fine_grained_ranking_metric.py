"""Fine-grained ranking of a CLIP: hard-negative accuracy and retrieval."""
import logging
from typing import Dict, List, Sequence

import torch
from mmengine.logging import print_log

from fgclip_det.registry import METRICS

from .functional.ranking import positive_ranked_first, retrieval_recalls
from .recall_at_k_metric import RecallAtKMetric

#: Caption kinds scored for retrieval, as in ``<kind>_text_embedding``.
CAPTION_KINDS = ('long', 'short')


@METRICS.register_module()
class FineGrainedRankingMetric(RecallAtKMetric):
    """FG-OVD-style hard-negative accuracy and image-text retrieval recall.

    Reads the predictions of ``FGCLIPPretrainer`` (``predict`` mode):
    ``region_scores`` ``(N_i, 1 + K)`` (column 0 the region's own caption,
    then its hard negatives, ``-inf`` at padding) and the image, long- and
    short-caption embeddings.

    Results (percentages):

    - ``hard_negative_top1``: regions whose caption scores strictly above all
      its negatives, among the regions with negatives (FG-OVD's protocol,
      1 + 10 captions in FineHARD and FG-OVD);
    - ``{long,short}_{i2t,t2i}_R@k``: image -> caption and caption -> image
      recall over the whole evaluated set, for every ``k`` in ``recall_ks``.

    Args:
        recall_ks (Sequence[int], optional): Ranks of the retrieval recalls.
            Defaults to ``(1,)``.
        collect_device (str): ``'cpu'`` or ``'gpu'``, where results of all
            ranks are gathered. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names. Defaults to
            ``'fg_ranking'``.
    """

    default_prefix = 'fg_ranking'

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Keep the embeddings and region scores of a batch (on the CPU)."""
        for sample in data_samples:
            self.results.append({
                'image': sample['image_embedding'].float().cpu(),
                'region_scores': sample['region_scores'].float().cpu(),
                **{
                    kind: sample[f'{kind}_text_embedding'].float().cpu()
                    for kind in CAPTION_KINDS
                },
            })

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Compute the accuracy and the recalls of the whole set."""
        metrics: Dict[str, float] = {}
        scores = torch.cat([r['region_scores'] for r in results])
        with_negatives = scores[:, 1:].isfinite().any(dim=1)
        if with_negatives.any():
            correct = positive_ranked_first(scores[with_negatives])
            metrics['hard_negative_top1'] = 100.0 * correct.float().mean().item()
        else:
            print_log(
                'no evaluated region has hard negatives: hard_negative_top1 '
                'is not reported',
                logger='current',
                level=logging.WARNING)
        images = torch.stack([r['image'] for r in results])
        own_caption = torch.arange(len(images))
        for kind in CAPTION_KINDS:
            recalls = retrieval_recalls(
                images, torch.stack([r[kind] for r in results]), own_caption,
                self.recall_ks)
            metrics.update(
                (f'{kind}_{name}', value) for name, value in recalls.items())
        return metrics
