"""The base of the CLIP evaluation models that embed ground-truth boxes."""
from typing import List, Optional, Tuple

from mmdet.structures.bbox import get_box_tensor
from mmengine.structures import BaseDataElement
from torch import Tensor

from fgclip_det.structures.naflex_batch import ImageInput

from .base_clip_evaluator import BaseCLIPEvaluator
from .region_features import BoxRegionEncoder, RegionMode


class BaseCLIPBoxEvaluator(BaseCLIPEvaluator):
    """A :class:`BaseCLIPEvaluator` that embeds the ground-truth boxes.

    Args:
        clip (dict, optional): Config of the ``FGCLIP`` / ``FGCLIP2`` model.
        region_mode (str): ``'roi'`` (RoIAlign over the dense map, FG-CLIP's
            protocol; with NaFlex input each image on its own grid) or
            ``'crop'`` (each enlarged, resized crop encoded), see
            :func:`~fgclip_det.models.evaluators.encode_box_regions`.
            Defaults to ``'roi'``.
        crop_scale (float): Box enlargement of ``'crop'`` mode. Defaults to
            1.0.
        crop_size (int, optional): Crop side of ``'crop'`` mode. Defaults to
            the data preprocessor's ``size`` (a NaFlex one has none).
        **kwargs: ``clip_checkpoint``, ``data_preprocessor`` and
            ``init_cfg`` of :class:`BaseCLIPEvaluator`.
    """

    def __init__(self,
                 clip: Optional[dict] = None,
                 *,
                 region_mode: RegionMode = 'roi',
                 crop_scale: float = 1.0,
                 crop_size: Optional[int] = None,
                 **kwargs) -> None:
        super().__init__(clip, **kwargs)
        self.region_encoder = BoxRegionEncoder(
            region_mode, crop_scale,
            crop_size or getattr(self.data_preprocessor, 'size', None))

    def encode_gt_boxes(self, inputs: ImageInput,
                        data_samples: List[BaseDataElement]
                        ) -> Tuple[List[Tensor], Tensor]:
        """The samples' ``gt_instances`` boxes and their embeddings.

        Returns:
            tuple[list[Tensor], Tensor]: The pixel xyxy boxes ``(N_i, 4)``
            of each sample and their L2-normalised embeddings
            ``(sum N_i, D)``, sample by sample in box order.
        """
        boxes = [get_box_tensor(s.gt_instances.bboxes) for s in data_samples]
        return boxes, self.region_encoder(self.clip, inputs, boxes)
