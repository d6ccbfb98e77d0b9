"""Tiny F-ViT RoI-head configs for CPU tests (16-channel RoI features,
8-d class embeddings, 5 classes of which 1 and 3 are novel)."""
from typing import Optional

import torch
from mmengine.config import ConfigDict
from torch import Tensor

NUM_CLASSES, EMBED_DIM, IN_CHANNELS = 5, 8, 16
NOVEL = [1, 3]


def tiny_embeddings(num: int = NUM_CLASSES, dim: int = EMBED_DIM,
                    seed: int = 0) -> Tensor:
    """Seeded random class embeddings ``(num, dim)``."""
    return torch.randn(num, dim, generator=torch.Generator().manual_seed(seed))


def tiny_bbox_head_cfg(embeddings: Optional[Tensor] = None, **kwargs) -> dict:
    """An ``FViTBBoxHead`` config (1 conv, 2 FCs, class-agnostic boxes)."""
    cfg = dict(
        type='FViTBBoxHead',
        num_shared_convs=1,
        num_shared_fcs=2,
        in_channels=IN_CHANNELS,
        conv_out_channels=IN_CHANNELS,
        fc_out_channels=32,
        roi_feat_size=7,
        num_classes=NUM_CLASSES,
        novel_class_ids=NOVEL,
        background_weight=0.6,
        reg_class_agnostic=True,
        cls_predictor_cfg=dict(
            type='TextEmbeddingClassifier',
            embeddings=tiny_embeddings() if embeddings is None else embeddings),
        loss_bbox=dict(type='L1Loss', loss_weight=1.0))
    cfg.update(kwargs)
    return cfg


def tiny_roi_head_cfg(**kwargs) -> dict:
    """An ``FViTRoIHead`` config with :func:`tiny_bbox_head_cfg` and a
    CLIP ensemble over a stride-16 dense map."""
    cfg = dict(
        type='FViTRoIHead',
        bbox_roi_extractor=dict(
            type='SingleRoIExtractor',
            roi_layer=dict(type='RoIAlign', output_size=7, sampling_ratio=0),
            out_channels=IN_CHANNELS,
            featmap_strides=[4]),
        bbox_head=tiny_bbox_head_cfg(),
        clip_roi_extractor=dict(
            type='SingleRoIExtractor',
            roi_layer=dict(
                type='RoIAlign', output_size=1, sampling_ratio=0,
                aligned=True),
            out_channels=EMBED_DIM,
            featmap_strides=[16]),
        clip_alpha=0.25,
        clip_beta=0.5,
        clip_temperature=10.0,
        test_cfg=ConfigDict(
            score_thr=0.0, nms=dict(type='nms', iou_threshold=0.5),
            max_per_img=100))
    cfg.update(kwargs)
    return cfg
