"""FG-OVD: rank the true description of a box above its hard negatives."""
from typing import List

from mmengine.structures import BaseDataElement

from fgclip_det.registry import MODELS
from fgclip_det.structures.naflex_batch import ImageInput

from .base_clip_box_evaluator import BaseCLIPBoxEvaluator


@MODELS.register_module()
class CLIPFGOVDRanker(BaseCLIPBoxEvaluator):
    """Score one box against its positive and negative descriptions.

    Each sample holds one box (``gt_instances.bboxes``) and its candidate
    texts (metainfo ``texts``: the positive first, then the negatives);
    texts take the region-text path (``encode_region_text``: FG-CLIP's
    short path, FG-CLIP 2's box walk). The arguments are those of
    :class:`BaseCLIPBoxEvaluator`.
    """

    def predict(self, inputs: ImageInput,
                data_samples: List[BaseDataElement]) -> List[BaseDataElement]:
        """Score (``match_scores``) of each box against each of its texts.

        Returns:
            list[BaseDataElement]: ``data_samples`` with ``text_scores``
            ``(1 + K_i,)``, the positive first.
        """
        counts = sorted({len(s.gt_instances.bboxes) for s in data_samples})
        if counts != [1]:
            raise ValueError(f'FG-OVD samples hold one box each, got {counts}')
        _, regions = self.encode_gt_boxes(inputs, data_samples)
        texts = [text for s in data_samples for text in s.texts]
        text_embeddings = self.clip.encode_region_text(texts, normalize=True)
        for sample, region, candidates in zip(
                data_samples, regions,
                text_embeddings.split([len(s.texts) for s in data_samples])):
            sample.text_scores = self.clip.match_scores(region[None], candidates)[0]
        return data_samples
