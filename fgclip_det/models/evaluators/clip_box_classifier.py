"""Box classification: each ground-truth box against a class vocabulary."""
from typing import List, Optional

from mmengine.structures import BaseDataElement

from fgclip_det.registry import MODELS
from fgclip_det.structures.naflex_batch import ImageInput

from ..text.prompt_templates import TemplateSet
from .base_clip_box_evaluator import BaseCLIPBoxEvaluator
from .class_text_embeddings import ClassTextEmbeddings


@MODELS.register_module()
class CLIPBoxClassifier(BaseCLIPBoxEvaluator):
    """Classify ground-truth boxes by their scores against class embeddings.

    Region embeddings come from RoIAlign over the dense map (``'roi'``,
    FG-CLIP's protocol; with NaFlex input each image on its own grid) or
    from encoding each enlarged, resized crop (``'crop'``). Class embeddings
    are prompt ensembles of the vocabulary on the region-text path
    (``encode_region_text``: FG-CLIP's short path, FG-CLIP 2's box walk).
    Scores are the model's ``match_scores``.

    Args:
        clip (dict, optional): Config of the ``FGCLIP`` / ``FGCLIP2`` model.
        vocabulary (str, optional): Class names in label order, e.g. the
            dataset's COCO / LVIS json (see
            :func:`~fgclip_det.datasets.vocabulary.read_class_names`).
        class_embeddings (str, optional): A class embedding file instead of
            ``vocabulary``.
        templates (str): Prompt ensemble, ``'vild'``, ``'imagenet'`` or
            ``'single'``. Defaults to ``'vild'``.
        **kwargs: ``clip_checkpoint``, ``region_mode``, ``crop_scale``,
            ``crop_size``, ``data_preprocessor`` and ``init_cfg``, see
            :class:`BaseCLIPBoxEvaluator`.
    """

    def __init__(self,
                 clip: Optional[dict] = None,
                 *,
                 vocabulary: Optional[str] = None,
                 class_embeddings: Optional[str] = None,
                 templates: TemplateSet = 'vild',
                 **kwargs) -> None:
        super().__init__(clip, **kwargs)
        self.class_text_embeddings = ClassTextEmbeddings(
            vocabulary, class_embeddings, templates, region_text=True)

    def predict(self, inputs: ImageInput,
                data_samples: List[BaseDataElement]) -> List[BaseDataElement]:
        """Score every box against every class.

        Returns:
            list[BaseDataElement]: ``data_samples`` with ``pred_scores``
            ``(N_i, num_classes)`` (``match_scores``) and ``gt_labels``
            ``(N_i,)`` of their ``gt_instances``.
        """
        boxes, regions = self.encode_gt_boxes(inputs, data_samples)
        scores = self.clip.match_scores(
            regions, self.class_text_embeddings(self.clip))
        for sample, sample_scores in zip(data_samples,
                                         scores.split([len(b) for b in boxes])):
            sample.pred_scores = sample_scores
            sample.gt_labels = sample.gt_instances.labels
        return data_samples
