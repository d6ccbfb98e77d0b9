"""F-ViT on a tiny tower of every family: builds, trains a step, predicts."""
import pytest
import torch
import torch.nn.functional as F
from mmdet.testing import demo_mm_inputs
from mmengine.config import Config
from mmengine.registry import init_default_scope

from fgclip_det.models.backbones import FViTCLIPBackbone
from fgclip_det.registry import MODELS
from fgclip_det.testing.detector_steps import assert_detections, train_loss
from fgclip_det.testing.tiny_towers import (
    TINY_FAMILIES,
    tiny_family_fgclip_cfg,
    tiny_tower_cfg,
)
from fgclip_det.utils import get_config_path

CONFIG = 'fvit/fvit_vitb16-fgclip_fpn_8xb8-3e_ov-coco.py'
NUM_CLASSES = 5


def tiny_fvit_cfg(family: str):
    """The OV-COCO F-ViT recipe on the tiny tower of ``family``."""
    cfg = Config.fromfile(get_config_path(CONFIG))
    init_default_scope(cfg.default_scope)
    model = cfg.model
    model.data_preprocessor.batch_augments = None
    model.backbone.clip = tiny_family_fgclip_cfg(family)  # replaced whole
    model.backbone.update(out_indices=(0, 1, 2, 3), clip_checkpoint=None,
                          norm_cfg=dict(type='BN'))
    if family == 'siglip2':  # the recipe's attention-free last block is
        model.backbone.last_block = 'attention'  # for value-path towers
    model.neck.in_channels = [64] * 4
    roi_head = model.roi_head
    roi_head.bbox_head.update(num_classes=NUM_CLASSES, novel_class_ids=[4],
                              norm_cfg=dict(type='BN'))
    embed_dim = tiny_tower_cfg(family)['embed_dim']
    roi_head.bbox_head.cls_predictor_cfg.embeddings = torch.randn(
        NUM_CLASSES, embed_dim)
    roi_head.clip_roi_extractor.out_channels = embed_dim
    model.train_cfg.rcnn.sampler.num = 32
    model.train_cfg.rpn_proposal.max_per_img = 50
    model.test_cfg.rpn.max_per_img = 20
    model.test_cfg.rcnn.max_per_img = 10
    return model


@pytest.mark.parametrize('family', TINY_FAMILIES)
def test_fvit_trains_and_predicts_on_every_family(family):
    torch.manual_seed(0)
    model = MODELS.build(tiny_fvit_cfg(family))
    packed = demo_mm_inputs(batch_size=2, image_shapes=[(3, 128, 96)] * 2,
                            num_classes=4)  # base classes only
    assert torch.isfinite(train_loss(model, packed))
    assert all(p.grad is None for p in model.backbone.visual.parameters())
    assert not model.backbone.visual.training
    assert all(p.grad is not None for p in model.backbone.adapters.parameters())

    model.eval()
    with torch.no_grad():
        data = model.data_preprocessor(packed, False)
        levels, dense = model.backbone.forward_with_dense(data['inputs'])
        results = model(**data, mode='predict')
    assert [level.shape[-2:] for level in levels] == [
        (32, 24), (16, 12), (8, 6), (4, 3)]
    assert dense.shape == (2, model.roi_head.clip_roi_extractor.out_channels, 8, 6)
    assert_detections(results, 2, NUM_CLASSES)


@pytest.mark.parametrize('family', TINY_FAMILIES)
def test_attention_free_last_level(family):
    torch.manual_seed(0)
    cfg = dict(clip=tiny_family_fgclip_cfg(family), out_indices=(0, 1, 2, 3),
               norm_cfg=dict(type='BN'), last_block='value_path')
    if family == 'siglip2':
        with pytest.raises(ValueError, match='timm SigLIP towers have no '
                                             'attention-free last block'):
            FViTCLIPBackbone(**cfg)
        return
    backbone = FViTCLIPBackbone(**cfg).eval()
    images = torch.randn(1, 3, 64, 96)
    with torch.no_grad():
        levels, dense = backbone.forward_with_dense(images)
        features = backbone.vision_trunk.features(
            images, (0, 1, 2, 3), with_dense=True, last_block='value_path')
        usual = backbone.vision_trunk.features(images, (3,)).maps[0]
    torch.testing.assert_close(levels[3], F.max_pool2d(features.maps[3], 2))
    torch.testing.assert_close(dense, F.normalize(features.dense, dim=1))
    assert not torch.allclose(features.maps[3], usual)
