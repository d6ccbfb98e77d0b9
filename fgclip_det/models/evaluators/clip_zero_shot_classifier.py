"""Zero-shot image classification with a prompt ensemble."""
from typing import List, Optional

import torch.nn.functional as F
from mmengine.structures import BaseDataElement

from fgclip_det.registry import MODELS
from fgclip_det.structures.naflex_batch import ImageInput

from ..text.prompt_templates import TemplateSet
from .base_clip_evaluator import BaseCLIPEvaluator
from .class_text_embeddings import ClassTextEmbeddings


@MODELS.register_module()
class CLIPZeroShotClassifier(BaseCLIPEvaluator):
    """Classify whole images by cosine similarity to class embeddings.

    Args:
        clip (dict, optional): Config of the ``FGCLIP`` / ``FGCLIP2`` model.
        vocabulary (str, optional): Class names in label order: a file with
            one name a line, or the image folder itself (its class folder
            names), see
            :func:`~fgclip_det.datasets.vocabulary.read_class_names`.
        class_embeddings (str, optional): A class embedding file instead of
            ``vocabulary``.
        templates (str): Prompt ensemble, ``'imagenet'`` (CLIP's 80),
            ``'vild'`` or ``'single'``. Defaults to ``'imagenet'``.
        data_preprocessor (dict, optional): Defaults to
            ``dict(type='CLIPEvalDataPreprocessor', resize='center_crop')``.
        **kwargs: ``clip_checkpoint`` and ``init_cfg``, see
            :class:`BaseCLIPEvaluator`.
    """

    def __init__(self,
                 clip: Optional[dict] = None,
                 *,
                 vocabulary: Optional[str] = None,
                 class_embeddings: Optional[str] = None,
                 templates: TemplateSet = 'imagenet',
                 data_preprocessor: Optional[dict] = None,
                 **kwargs) -> None:
        super().__init__(
            clip,
            data_preprocessor=data_preprocessor or dict(
                type='CLIPEvalDataPreprocessor', resize='center_crop'),
            **kwargs)
        self.class_text_embeddings = ClassTextEmbeddings(
            vocabulary, class_embeddings, templates)

    def predict(self, inputs: ImageInput,
                data_samples: List[BaseDataElement]) -> List[BaseDataElement]:
        """Score every image against every class.

        Returns:
            list[BaseDataElement]: ``data_samples`` with ``pred_scores``
            ``(1, num_classes)`` and ``gt_labels`` ``(1,)`` (metainfo
            ``gt_label``), the fields of ``ClassificationAccuracyMetric``.
        """
        images = F.normalize(self.clip.encode_image(inputs), dim=-1)
        scores = self.clip.match_scores(
            images, self.class_text_embeddings(self.clip))
        for sample, image_scores in zip(data_samples, scores):
            sample.pred_scores = image_scores[None]
            sample.gt_labels = image_scores.new_tensor([sample.gt_label]).long()
        return data_samples
