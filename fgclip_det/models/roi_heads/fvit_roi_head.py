"""F-ViT RoI head: detector scores ensembled with dense CLIP scores."""
import math
from numbers import Real
from typing import Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmdet.models.layers import multiclass_nms
from mmdet.models.roi_heads import StandardRoIHead
from mmdet.structures import SampleList
from mmdet.structures.bbox import bbox2roi
from mmdet.utils import ConfigType, InstanceList, OptConfigType
from mmengine.structures import InstanceData
from torch import Tensor

from fgclip_det.models.roi_heads.fvit_bbox_head import FViTBBoxHead
from fgclip_det.registry import MODELS


def check_ensemble_weight(name: str, value: float) -> float:
    """``value`` as a float if it is a CLIP weight of the ensemble, in
    [0, 1] (0: the detector alone, 1: CLIP alone); raise otherwise."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f'{name} must be a number in [0, 1], got '
                        f'{type(value).__name__} {value!r}')
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise ValueError(f'{name} must be in [0, 1] (the CLIP share of '
                         f'the geometric ensemble), got {value!r}')
    return float(value)


def geometric_ensemble(det_scores: Tensor, clip_scores: Tensor,
                       novel_mask: Tensor, alpha: float,
                       beta: float) -> Tensor:
    """Geometric mean of detector and CLIP class probabilities.

    ``p = p_det ** (1 - a) * p_clip ** a`` for base classes, with ``b`` in
    place of ``a`` for novel classes (F-ViT, after ViLD). The background
    column is the detector's.

    Args:
        det_scores (Tensor): ``(N, C + 1)`` detector softmax, background last.
        clip_scores (Tensor): ``(N, C)`` CLIP softmax over the classes.
        novel_mask (Tensor): ``(C,)`` bool, True for novel classes.
        alpha (float): CLIP weight ``a`` of base classes, in [0, 1].
        beta (float): CLIP weight ``b`` of novel classes, in [0, 1].

    Returns:
        Tensor: ``(N, C + 1)``.
    """
    alpha = check_ensemble_weight('alpha', alpha)
    beta = check_ensemble_weight('beta', beta)
    # Arithmetic with Python scalars: no host data is copied to the device.
    weight = alpha + (beta - alpha) * novel_mask.to(clip_scores)
    num_classes = clip_scores.shape[-1]
    cls_scores = (det_scores[:, :num_classes].pow(1 - weight)
                  * clip_scores.pow(weight))
    return torch.cat([cls_scores, det_scores[:, num_classes:]], dim=1)


@MODELS.register_module()
class FViTRoIHead(StandardRoIHead):
    """RoI head of F-ViT with the test-time CLIP ensemble.

    Training is mmdet's ``StandardRoIHead``. At test time, when
    ``clip_roi_extractor`` is set, each RoI is also pooled (1x1) from the
    dense CLIP map, classified by cosine similarity to the class text
    embeddings of the box classifier at ``clip_temperature``, and the two
    probabilities are combined by :func:`geometric_ensemble` before NMS.

    The bbox head must be an ``FViTBBoxHead`` (its ``novel_mask`` splits
    base and novel classes) whose classifier exposes ``class_embeddings``
    (``TextEmbeddingClassifier``).

    Args:
        clip_roi_extractor (dict, optional): RoI extractor of the dense CLIP
            map, e.g. ``SingleRoIExtractor`` with a 1x1 ``RoIAlign``, the
            CLIP embedding width as ``out_channels`` and the patch size as
            the only stride. Defaults to None: no ensemble.
        clip_alpha (float): CLIP weight of base classes, in [0, 1].
            Defaults to 0.1.
        clip_beta (float): CLIP weight of novel classes, in [0, 1].
            Defaults to 0.8.
        clip_temperature (float): Scale of the CLIP cosine logits, > 0.
            Defaults to 75 (OV-COCO; 50 for OV-LVIS).
        **kwargs: Arguments of ``StandardRoIHead``.
    """

    def __init__(self,
                 *,
                 clip_roi_extractor: OptConfigType = None,
                 clip_alpha: float = 0.1,
                 clip_beta: float = 0.8,
                 clip_temperature: float = 75.0,
                 **kwargs) -> None:
        if (isinstance(clip_temperature, bool)
                or not isinstance(clip_temperature, Real)
                or not (math.isfinite(clip_temperature)
                        and clip_temperature > 0)):
            raise ValueError('clip_temperature must be a finite number > 0, '
                             f'got {clip_temperature!r}')
        self.clip_alpha = clip_alpha
        self.clip_beta = clip_beta
        super().__init__(**kwargs)
        self.clip_temperature = float(clip_temperature)
        self.clip_roi_extractor = None
        if clip_roi_extractor is not None:
            classifier = getattr(self.bbox_head, 'fc_cls', None)
            if not (hasattr(self.bbox_head, 'novel_mask')
                    and hasattr(classifier, 'class_embeddings')):
                raise ValueError(
                    'the CLIP ensemble needs an FViTBBoxHead with a '
                    'TextEmbeddingClassifier, got a '
                    f'{type(self.bbox_head).__name__} with a '
                    f'{type(classifier).__name__}')
            self.clip_roi_extractor = MODELS.build(clip_roi_extractor)

    @property
    def clip_alpha(self) -> float:
        """float: CLIP weight of base classes, in [0, 1] (checked when set)."""
        return self._clip_alpha

    @clip_alpha.setter
    def clip_alpha(self, value: float) -> None:
        self._clip_alpha = check_ensemble_weight('clip_alpha', value)

    @property
    def clip_beta(self) -> float:
        """float: CLIP weight of novel classes, in [0, 1] (checked when set)."""
        return self._clip_beta

    @clip_beta.setter
    def clip_beta(self, value: float) -> None:
        self._clip_beta = check_ensemble_weight('clip_beta', value)

    @property
    def with_clip_ensemble(self) -> bool:
        """bool: Whether test scores are ensembled with CLIP scores."""
        return self.clip_roi_extractor is not None

    def set_vocabulary(self, embeddings: Tensor,
                       novel_mask: Union[Sequence[bool], Tensor]) -> None:
        """Detect other classes, for inference.

        The box classifier and the CLIP ensemble score RoIs against the new
        embeddings (:meth:`FViTBBoxHead.set_vocabulary`); a mask head must
        be class-agnostic.

        Args:
            embeddings (Tensor): ``(num_classes, dim)`` class text embeddings.
            novel_mask (Sequence[bool] | Tensor): ``num_classes`` flags: True
                for novel classes (CLIP weight ``clip_beta``), False for base
                classes (``clip_alpha``).

        Raises:
            ValueError: For a bbox head other than ``FViTBBoxHead``, a mask
                head that is not class-agnostic, or what
                :meth:`FViTBBoxHead.set_vocabulary` rejects.
        """
        if not isinstance(self.bbox_head, FViTBBoxHead):
            raise ValueError('a new vocabulary needs an FViTBBoxHead, got '
                             f'{type(self.bbox_head).__name__}')
        if self.with_mask and not getattr(self.mask_head, 'class_agnostic',
                                          False):
            raise ValueError('a new vocabulary needs a class-agnostic mask '
                             'head')
        self.bbox_head.set_vocabulary(embeddings, novel_mask)
        if self.with_mask:
            self.mask_head.num_classes = self.bbox_head.num_classes

    def clip_scores(self, clip_map: Tensor, rois: Tensor) -> Tensor:
        """CLIP class probabilities of RoIs.

        Args:
            clip_map (Tensor): ``(B, D, h, w)`` L2-normalised dense CLIP map.
            rois (Tensor): ``(N, 5)`` as ``(batch_index, x1, y1, x2, y2)``.

        Returns:
            Tensor: ``(N, C)`` softmax over the classes.
        """
        # mmcv's RoIAlign reads the map's memory as if it were contiguous
        feats = self.clip_roi_extractor([clip_map.contiguous()], rois)
        feats = feats.flatten(1)
        feats = F.normalize(feats, dim=-1)
        embeddings = self.bbox_head.fc_cls.class_embeddings.to(feats.dtype)
        return (self.clip_temperature * feats @ embeddings.t()).softmax(-1)

    def predict(self,
                x: tuple,
                rpn_results_list: InstanceList,
                batch_data_samples: SampleList,
                rescale: bool = False,
                clip_map: Optional[Tensor] = None) -> InstanceList:
        """``StandardRoIHead.predict`` with the dense CLIP map.

        Args:
            x (tuple[Tensor]): Multi-level features.
            rpn_results_list (list[InstanceData]): Proposals per image.
            batch_data_samples (list[DetDataSample]): Image metas.
            rescale (bool): Return boxes in the original image space.
                Defaults to False.
            clip_map (Tensor, optional): ``(B, D, h, w)`` dense CLIP map,
                needed when :attr:`with_clip_ensemble`.

        Returns:
            list[InstanceData]: Per image ``bboxes`` ``(n, 4)``, ``scores``
            ``(n,)``, ``labels`` ``(n,)`` and, with a mask head, ``masks``.
        """
        batch_img_metas = [sample.metainfo for sample in batch_data_samples]
        results_list = self.predict_bbox(
            x, batch_img_metas, rpn_results_list, self.test_cfg,
            rescale=rescale and not self.with_mask, clip_map=clip_map)
        if self.with_mask:
            results_list = self.predict_mask(
                x, batch_img_metas, results_list, rescale=rescale)
        return results_list

    def predict_bbox(self,
                     x: tuple,
                     batch_img_metas: list,
                     rpn_results_list: InstanceList,
                     rcnn_test_cfg: ConfigType,
                     rescale: bool = False,
                     clip_map: Optional[Tensor] = None) -> InstanceList:
        """Boxes and ensembled scores, then NMS (``rcnn_test_cfg``).

        Without the ensemble this is ``StandardRoIHead.predict_bbox``. With
        ``rcnn_test_cfg=None`` the raw per-RoI ``bboxes`` and ``scores``
        ``(n, C + 1)`` are returned.
        """
        proposals = [res.bboxes for res in rpn_results_list]
        num_rois = sum(len(p) for p in proposals)
        if not self.with_clip_ensemble or num_rois == 0:
            return super().predict_bbox(x, batch_img_metas, rpn_results_list,
                                        rcnn_test_cfg, rescale)
        if clip_map is None:
            raise ValueError('FViTRoIHead has a clip_roi_extractor: predict '
                             'needs the dense CLIP map (clip_map)')
        raw_list = super().predict_bbox(
            x, batch_img_metas, rpn_results_list, None, rescale)
        clip_scores = self.clip_scores(clip_map, bbox2roi(proposals)).split(
            [len(p) for p in proposals])
        novel_mask = self.bbox_head.novel_mask[:-1]
        results_list = []
        for raw, img_clip_scores in zip(raw_list, clip_scores):
            scores = geometric_ensemble(raw.scores, img_clip_scores,
                                        novel_mask, self.clip_alpha,
                                        self.clip_beta)
            if rcnn_test_cfg is None:
                raw.scores = scores
                results_list.append(raw)
                continue
            det_bboxes, det_labels = multiclass_nms(
                raw.bboxes, scores, rcnn_test_cfg.score_thr,
                rcnn_test_cfg.nms, rcnn_test_cfg.max_per_img)
            results_list.append(
                InstanceData(
                    bboxes=det_bboxes[:, :-1],
                    scores=det_bboxes[:, -1],
                    labels=det_labels))
        return results_list
