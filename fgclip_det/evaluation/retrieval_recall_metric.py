"""Image <-> text retrieval recall at k, several captions an image."""
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.evaluator import BaseMetric
from torch import Tensor

from fgclip_det.registry import METRICS


def retrieval_recalls(images: Tensor, texts: Tensor, text_to_image: Tensor,
                      ks: Sequence[int]) -> Dict[str, float]:
    """Recall at k in both directions, in percent.

    Image -> text: an image is recalled when any of its captions is among
    the ``k`` best scored texts; text -> image: a caption is recalled when
    its image is among the ``k`` best scored images.

    Args:
        images (Tensor): ``(N, D)`` L2-normalised image embeddings.
        texts (Tensor): ``(T, D)`` L2-normalised caption embeddings.
        text_to_image (Tensor): ``(T,)`` index of each caption's image.
        ks (Sequence[int]): Ranks.

    Returns:
        dict[str, float]: ``i2t_R@k`` and ``t2i_R@k`` for every ``k``.
    """
    similarity = images @ texts.t()
    recalls = {}
    for k in ks:
        best_texts = similarity.topk(min(k, len(texts)), dim=1).indices
        i2t = (text_to_image[best_texts]
               == torch.arange(len(images))[:, None]).any(dim=1)
        best_images = similarity.t().topk(min(k, len(images)), dim=1).indices
        t2i = (best_images == text_to_image[:, None]).any(dim=1)
        recalls[f'i2t_R@{k}'] = 100.0 * i2t.float().mean().item()
        recalls[f't2i_R@{k}'] = 100.0 * t2i.float().mean().item()
    return recalls


@METRICS.register_module()
class RetrievalRecallMetric(BaseMetric):
    """Image <-> text recall at k over the whole evaluated set.

    Reads ``image_embedding`` ``(D,)`` and ``text_embeddings``
    ``(num_captions, D)`` of every sample (``CLIPRetriever``); see
    :func:`retrieval_recalls` for the definitions.

    Args:
        recall_ks (Sequence[int]): Ranks. Defaults to ``(1, 5, 10)``.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names. Defaults to
            ``'retrieval'``.
    """

    default_prefix = 'retrieval'

    def __init__(self,
                 recall_ks: Sequence[int] = (1, 5, 10),
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if not recall_ks or any(int(k) < 1 for k in recall_ks):
            raise ValueError(f'recall_ks must be ranks >= 1, got {recall_ks}')
        self.recall_ks = tuple(int(k) for k in recall_ks)

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
