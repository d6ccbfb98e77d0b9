"""Image <-> text retrieval recall at k, several captions an image."""
from typing import Dict, List, Sequence

import torch

from fgclip_det.registry import METRICS

from .functional.ranking import retrieval_recalls
from .recall_at_k_metric import RecallAtKMetric


@METRICS.register_module()
class RetrievalRecallMetric(RecallAtKMetric):
    """Image <-> text recall at k over the whole evaluated set.

    Reads ``image_embedding`` ``(D,)`` and ``text_embeddings``
    ``(num_captions, D)`` of every sample (``CLIPRetriever``); see
    :func:`~fgclip_det.evaluation.functional.retrieval_recalls` for the
    definitions.

    Args:
        recall_ks (Sequence[int], optional): Ranks. Defaults to
            ``(1, 5, 10)``.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names. Defaults to
            ``'retrieval'``.
    """

    default_prefix = 'retrieval'
    default_recall_ks = (1, 5, 10)

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Keep the embeddings of a batch (on the CPU)."""
        for sample in data_samples:
            self.results.append(
                dict(image=sample['image_embedding'].float().cpu(),
                     texts=sample['text_embeddings'].float().cpu()))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Recalls of the whole set."""
        images = torch.stack([r['image'] for r in results])
        texts = torch.cat([r['texts'] for r in results])
        text_to_image = torch.cat([
            torch.full((len(r['texts']), ), index)
            for index, r in enumerate(results)
        ])
        return retrieval_recalls(images, texts, text_to_image, self.recall_ks)
