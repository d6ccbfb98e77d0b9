"""FG-OVD: rank the true description of a box above its hard negatives."""
from typing import List, Optional

from mmdet.structures.bbox import get_box_tensor
from mmengine.structures import BaseDataElement

from fgclip_det.registry import MODELS
from fgclip_det.structures.naflex_batch import ImageInput

from .base_clip_evaluator import BaseCLIPEvaluator
from .region_features import BoxRegionEncoder, RegionMode


@MODELS.register_module()
class CLIPFGOVDRanker(BaseCLIPEvaluator):
    """Score one box against its positive and negative descriptions.

    Each sample holds one box (``gt_instances.bboxes``) and its candidate
    texts (metainfo ``texts``: the positive first, then the negatives);
    texts take the region-text path (``encode_region_text``: FG-CLIP's
    short path, FG-CLIP 2's box walk).

    Args:
        clip (dict, optional): Config of the ``FGCLIP`` / ``FGCLIP2`` model.
        clip_checkpoint (str, optional): Toolkit checkpoint of either
            instead, see :class:`BaseCLIPEvaluator`.
        region_mode (str): ``'roi'`` or ``'crop'``, see
            :func:`~fgclip_det.models.eval.encode_box_regions`. Defaults to
            ``'roi'``.
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

    def predict(self, inputs: ImageInput,
                data_samples: List[BaseDataElement]) -> List[BaseDataElement]:
        """Score (``match_scores``) of each box against each of its texts.

        Returns:
            list[BaseDataElement]: ``data_samples`` with ``text_scores``
            ``(1 + K_i,)``, the positive first.
        """
        boxes = [get_box_tensor(s.gt_instances.bboxes) for s in data_samples]
        counts = sorted({len(b) for b in boxes})
        if counts != [1]:
            raise ValueError(f'FG-OVD samples hold one box each, got {counts}')
        regions = self.region_encoder(self.clip, inputs, boxes)
        texts = [text for s in data_samples for text in s.texts]
        text_embeddings = self.clip.encode_region_text(texts, normalize=True)
        for sample, region, candidates in zip(
                data_samples, regions,
                text_embeddings.split([len(s.texts) for s in data_samples])):
            sample.text_scores = self.clip.match_scores(region[None], candidates)[0]
        return data_samples
