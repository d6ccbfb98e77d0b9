"""Box classification: each ground-truth box against a class vocabulary."""
from typing import List, Optional

from mmdet.structures.bbox import get_box_tensor
from mmengine.structures import BaseDataElement

from fgclip_det.registry import MODELS
from fgclip_det.structures.naflex_batch import ImageInput

from .base_clip_evaluator import BaseCLIPEvaluator
from .class_text_embeddings import ClassTextEmbeddings, TemplateSet
from .region_features import BoxRegionEncoder, RegionMode


@MODELS.register_module()
class CLIPBoxClassifier(BaseCLIPEvaluator):
    """Classify ground-truth boxes by their scores against class embeddings.

    Region embeddings come from RoIAlign over the dense map (``'roi'``,
    FG-CLIP's protocol; with NaFlex input each image on its own grid) or
    from encoding each enlarged, resized crop (``'crop'``). Class embeddings
    are prompt ensembles of the vocabulary on the region-text path
    (``encode_region_text``: FG-CLIP's short path, FG-CLIP 2's box walk).
    Scores are the model's ``match_scores``.

    Args:
        clip (dict, optional): Config of the ``FGCLIP`` / ``FGCLIP2`` model.
        clip_checkpoint (str, optional): Toolkit checkpoint of either
            instead, see :class:`BaseCLIPEvaluator`.
        vocabulary (str, optional): Class names in label order, e.g. the
            dataset's COCO / LVIS json (see
            :func:`~fgclip_det.models.eval.read_class_names`).
        class_embeddings (str, optional): A class embedding file instead of
            ``vocabulary``.
        templates (str): Prompt ensemble, ``'vild'``, ``'imagenet'`` or
            ``'single'``. Defaults to ``'vild'``.
        region_mode (str): ``'roi'`` or ``'crop'``. Defaults to ``'roi'``.
        crop_scale (float): Box enlargement of ``'crop'`` mode. Defaults to
            1.0.
        crop_size (int, optional): Crop side of ``'crop'`` mode. Defaults to
            the data preprocessor's ``size`` (a NaFlex one has none).
        data_preprocessor (dict, optional): Defaults to
            ``dict(type='CLIPEvalDataPreprocessor')``.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 clip: Optional[dict] = None,
                 *,
                 clip_checkpoint: Optional[str] = None,
                 vocabulary: Optional[str] = None,
                 class_embeddings: Optional[str] = None,
                 templates: TemplateSet = 'vild',
                 region_mode: RegionMode = 'roi',
                 crop_scale: float = 1.0,
                 crop_size: Optional[int] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(clip, clip_checkpoint=clip_checkpoint,
                         data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.region_encoder = BoxRegionEncoder(
            region_mode, crop_scale,
            crop_size or getattr(self.data_preprocessor, 'size', None))
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
        boxes = [get_box_tensor(s.gt_instances.bboxes) for s in data_samples]
        regions = self.region_encoder(self.clip, inputs, boxes)
        scores = self.clip.match_scores(
            regions, self.class_text_embeddings(self.clip))
        for sample, sample_scores in zip(data_samples,
                                         scores.split([len(b) for b in boxes])):
            sample.pred_scores = sample_scores
            sample.gt_labels = sample.gt_instances.labels
        return data_samples
