"""Image <-> text retrieval: embeddings of images and their captions."""
from typing import List, Optional

import torch.nn.functional as F
from mmengine.structures import BaseDataElement

from fgclip_det.registry import MODELS
from fgclip_det.structures.naflex_batch import ImageInput

from .base_clip_evaluator import BaseCLIPEvaluator


@MODELS.register_module()
class CLIPRetriever(BaseCLIPEvaluator):
    """Embed each image and its captions (metainfo ``captions``).

    Args:
        clip (dict, optional): Config of the ``FGCLIP`` / ``FGCLIP2`` model.
        long_text (bool): Encode captions with the long path (FG-CLIP 248
            tokens, FG-CLIP 2 196), for long-caption benchmarks (ShareGPT4V,
            DCI); the short path (77 / 64 tokens) otherwise. Defaults to
            False.
        **kwargs: ``clip_checkpoint``, ``data_preprocessor`` and
            ``init_cfg``, see :class:`BaseCLIPEvaluator`.
    """

    def __init__(self,
                 clip: Optional[dict] = None,
                 *,
                 long_text: bool = False,
                 **kwargs) -> None:
        super().__init__(clip, **kwargs)
        self.long_text = long_text

    def predict(self, inputs: ImageInput,
                data_samples: List[BaseDataElement]) -> List[BaseDataElement]:
        """L2-normalised image and caption embeddings.

        Returns:
            list[BaseDataElement]: ``data_samples`` with ``image_embedding``
            ``(D,)`` and ``text_embeddings`` ``(num_captions_i, D)``.
        """
        images = F.normalize(self.clip.encode_image(inputs), dim=-1)
        captions = [c for s in data_samples for c in s.captions]
        texts = self.clip.encode_text(captions, long=self.long_text,
                                      normalize=True)
        for sample, image, sample_texts in zip(
                data_samples, images,
                texts.split([len(s.captions) for s in data_samples])):
            sample.image_embedding = image
            sample.text_embeddings = sample_texts
        return data_samples
