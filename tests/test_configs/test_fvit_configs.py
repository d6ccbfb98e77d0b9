"""Every shipped F-ViT config builds and trains / predicts at small size.

The recipe values are checked on the configs as shipped; the model is then
built at its real size (random weights, no pretrained tag downloaded) and
run forward / backward and predict on 2 small CPU images (about 10 s a
config).
"""
import glob
import os.path as osp

import open_clip
import pytest
import torch
from mmdet.datasets import LVISV1Dataset
from mmdet.testing import demo_mm_inputs
from mmengine.config import Config
from mmengine.registry import init_default_scope

from fgclip_det.datasets.ov_coco import OV_COCO_CLASSES, OV_COCO_NOVEL_CLASSES
from fgclip_det.models.clip import CLIP_MEAN, CLIP_STD
from fgclip_det.registry import METRICS, MODELS
from fgclip_det.testing.detector_steps import assert_detections, train_loss
from fgclip_det.utils import get_config_path

B16_COCO = 'fvit_vitb16-fgclip_fpn_8xb8-3e_ov-coco.py'
OPENAI_COCO = 'fvit_vitb16-openai_fpn_8xb8-3e_ov-coco.py'
EVA02_COCO = 'fvit_eva02-b16_fpn_8xb8-3e_ov-coco.py'
CLIPSELF_COCO = 'fvit_eva02-b16-clipself_fpn_8xb8-3e_ov-coco.py'
SIGLIP2_COCO = 'fvit_siglip2-b16_fpn_8xb8-3e_ov-coco.py'
FGCLIP2_CONFIGS = ('fvit_fgclip2-base_fpn_8xb8-3e_ov-coco.py',
                   'fvit_fgclip2-base_fpn_8xb8-48e_ov-lvis.py')
#: The mean / std (0-1) each tower family was trained with: open_clip's
#: pretrained cfg of the tags the configs use; FG-CLIP 2's processor.
SIGLIP_MEAN = SIGLIP_STD = (0.5, 0.5, 0.5)
FAMILY_NORM = {
    'ViT-B-16': (CLIP_MEAN, CLIP_STD),
    'ViT-L-14-336': (CLIP_MEAN, CLIP_STD),
    'EVA02-B-16': (CLIP_MEAN, CLIP_STD),
    'ViT-B-16-SigLIP2': (SIGLIP_MEAN, SIGLIP_STD),
    'FGCLIP2': (SIGLIP_MEAN, SIGLIP_STD),
}
#: The vision-trunk adapter each family's tower gets.
FAMILY_TRUNK = {
    'ViT-B-16': 'OpenCLIPViTTrunk',
    'ViT-L-14-336': 'OpenCLIPViTTrunk',
    'EVA02-B-16': 'TimmEvaTrunk',
    'ViT-B-16-SigLIP2': 'TimmSigLIPTrunk',
    'FGCLIP2': 'FGCLIP2Trunk',
}
#: Families without an attention-free last block.
ATTENTION_LAST = ('ViT-B-16-SigLIP2', 'FGCLIP2')
CONFIG_DIR = osp.dirname(get_config_path(f'fvit/{B16_COCO}'))
CONFIGS = sorted(osp.basename(p) for p in glob.glob(osp.join(CONFIG_DIR, '*.py')))


def load(name):
    cfg = Config.fromfile(osp.join(CONFIG_DIR, name))
    init_default_scope(cfg.default_scope)
    return cfg


def family(clip_cfg) -> str:
    """The open_clip architecture of an FGCLIP config, else the type."""
    return clip_cfg.get('model_name', clip_cfg.type)


def for_cpu(model_cfg):
    """The shipped architecture with what a CPU test cannot have changed:
    random class embeddings instead of the file, no CLIP checkpoint, no
    fixed-size padding, fewer proposals and sampled RoIs; no pretrained
    tag (no download)."""
    model_cfg.backbone.clip.pretrained = None
    model_cfg.backbone.clip_checkpoint = None
    model_cfg.data_preprocessor.batch_augments = None
    roi_head = model_cfg.roi_head
    roi_head.bbox_head.cls_predictor_cfg.embeddings = torch.randn(
        roi_head.bbox_head.num_classes, roi_head.clip_roi_extractor.out_channels)
    model_cfg.train_cfg.rcnn.sampler.num = 64
    model_cfg.train_cfg.rpn_proposal.max_per_img = 100
    model_cfg.test_cfg.rpn.max_per_img = 30
    model_cfg.test_cfg.rcnn.max_per_img = 20
    return model_cfg


def test_configs_are_found():
    assert B16_COCO in CONFIGS
    assert 'fvit_vitb16-fgclip_fpn_8xb8-48e_ov-lvis.py' in CONFIGS
    assert 'fvit_vitl14-fgclip_fpn_8xb8-48e_ov-lvis.py' in CONFIGS
    assert 'fvit_vitl14-fgclip_fpn_8xb8-3e_ov-coco.py' in CONFIGS
    for name in (OPENAI_COCO, EVA02_COCO, CLIPSELF_COCO, SIGLIP2_COCO,
                 *FGCLIP2_CONFIGS):
        assert name in CONFIGS


@pytest.mark.parametrize('name', CONFIGS)
def test_recipe(name):
    cfg = load(name)
    assert cfg.optim_wrapper.optimizer.type == 'AdamW'
    assert cfg.optim_wrapper.optimizer.lr == 1e-4
    assert cfg.optim_wrapper.optimizer.weight_decay == 0.1
    assert cfg.optim_wrapper.clip_grad.max_norm == 1.0
    batch = cfg.train_dataloader.batch_size * 8  # 8 GPUs
    assert batch == cfg.auto_scale_lr.base_batch_size == 64
    preprocessor = cfg.model.data_preprocessor
    clip = cfg.model.backbone.clip
    mean, std = FAMILY_NORM[family(clip)]
    if clip.get('model_name') and clip.get('pretrained'):
        # an open_clip tag: its own mean / std, offline
        tag_cfg = open_clip.get_pretrained_cfg(clip.model_name, clip.pretrained)
        assert (tuple(tag_cfg['mean']), tuple(tag_cfg['std'])) == (mean, std)
    assert preprocessor.mean == pytest.approx([255 * m for m in mean])
    assert preprocessor.std == pytest.approx([255 * s for s in std])
    patch = cfg.model.roi_head.clip_roi_extractor.featmap_strides[0]
    assert preprocessor.pad_size_divisor == 2 * patch
    strides = [patch / 4, patch / 2, patch, 2 * patch]
    assert cfg.model.roi_head.bbox_roi_extractor.featmap_strides == strides
    assert cfg.model.rpn_head.anchor_generator.strides == strides + [4 * patch]
    checkpoint = cfg.default_hooks.checkpoint
    metric = METRICS.get(cfg.val_evaluator.type)
    assert checkpoint.save_best.startswith(metric.default_prefix + '/')
    assert checkpoint.rule == 'greater'
    # CLIPSelf's attention-free last block, where the family has one
    assert cfg.model.backbone.last_block == (
        'attention' if family(clip) in ATTENTION_LAST else 'value_path')
    bbox_head = cfg.model.roi_head.bbox_head
    assert bbox_head.reg_class_agnostic
    assert bbox_head.type == 'FViTBBoxHead'
    assert bbox_head.cls_predictor_cfg.type == 'TextEmbeddingClassifier'
    if 'ov-coco' in name:
        assert cfg.train_cfg.max_epochs == 3
        assert tuple(cfg.classes) == OV_COCO_CLASSES
        assert bbox_head.num_classes == 65
        assert [OV_COCO_CLASSES[i] for i in bbox_head.novel_class_ids] == list(
            OV_COCO_NOVEL_CLASSES)
        assert bbox_head.background_weight == 0.6
        assert cfg.val_evaluator.type == 'OVCocoMetric'
        assert tuple(cfg.val_evaluator.novel_classes) == OV_COCO_NOVEL_CLASSES
        roi_head = cfg.model.roi_head
        assert (roi_head.clip_alpha, roi_head.clip_beta,
                roi_head.clip_temperature) == (0.1, 0.8, 75.0)
        assert cfg.image_size == ((640, 640) if patch == 16 else (896, 896))
    if 'ov-lvis' in name:
        assert cfg.train_cfg.max_epochs == 48
        assert bbox_head.num_classes == 1203
        assert len(bbox_head.novel_class_ids) == 337
        assert bbox_head.novel_class_ids == sorted(set(bbox_head.novel_class_ids))
        assert LVISV1Dataset.METAINFO['classes'][bbox_head.novel_class_ids[0]] == (
            'applesauce')
        assert bbox_head.background_weight == 0.9
        assert cfg.val_evaluator.type == 'LVISMetric'
        mask_head = cfg.model.roi_head.mask_head
        assert mask_head.class_agnostic and mask_head.type == 'FCNMaskHead'
        assert cfg.model.roi_head.mask_roi_extractor.featmap_strides == strides
        roi_head = cfg.model.roi_head
        assert (roi_head.clip_alpha, roi_head.clip_beta,
                roi_head.clip_temperature) == (0.1, 0.6 if patch == 16 else 0.4,
                                               50.0)
        assert cfg.model.test_cfg.rcnn.score_thr == 1e-4
        assert cfg.image_size == ((1024, 1024) if patch == 16 else (896, 896))


def test_openai_and_siglip2_towers():
    openai = load(OPENAI_COCO).model
    assert (openai.backbone.clip.model_name, openai.backbone.clip.pretrained,
            openai.backbone.clip.quick_gelu) == ('ViT-B-16', 'openai', True)
    assert openai.backbone.clip_checkpoint is None
    siglip = load(SIGLIP2_COCO).model
    clip = siglip.backbone.clip
    assert (clip.model_name, clip.pretrained) == ('ViT-B-16-SigLIP2', 'webli')
    assert 'quick_gelu' not in clip
    assert clip.trunk_cfg == dict(dense_path='query')
    assert siglip.backbone.out_indices == [3, 5, 7, 11]
    assert siglip.roi_head.clip_roi_extractor.out_channels == 768
    embeddings = {load(name).model.roi_head.bbox_head.cls_predictor_cfg.embeddings
                  for name in (B16_COCO, OPENAI_COCO, EVA02_COCO, SIGLIP2_COCO)}
    assert len(embeddings) == 4  # one text tower each


@pytest.mark.parametrize('name', FGCLIP2_CONFIGS)
def test_fgclip2_tower(name):
    model = load(name).model
    assert dict(model.backbone.clip) == dict(
        type='FGCLIP2', arch='base', pretrained='checkpoints/fg-clip2-base')
    assert model.backbone.out_indices == [3, 5, 7, 11]
    assert model.backbone.clip_checkpoint is None
    assert model.roi_head.clip_roi_extractor.out_channels == 768
    assert 'fgclip2-base' in model.roi_head.bbox_head.cls_predictor_cfg.embeddings


@pytest.mark.parametrize('name', [EVA02_COCO, CLIPSELF_COCO])
def test_clipself_recipe(name):
    """The values of CLIPSelf's F-ViT/configs/ov_coco/
    fvit_vitb16_upsample_fpn_bs64_3e_ovcoco_eva_original.py (the ones
    test_recipe checks for every OV-COCO config are the same there)."""
    cfg = load(name)
    model = cfg.model
    clip = model.backbone.clip
    assert clip.model_name == 'EVA02-B-16' and 'quick_gelu' not in clip
    assert model.backbone.out_indices == [3, 5, 7, 11]
    assert model.rpn_head.anchor_generator.strides == [4, 8, 16, 32, 64]
    assert model.neck.norm_cfg == dict(type='SyncBN', requires_grad=True)
    assert model.rpn_head.num_convs == 2
    bbox_head = model.roi_head.bbox_head
    assert (bbox_head.num_shared_convs, bbox_head.num_shared_fcs,
            bbox_head.fc_out_channels) == (4, 2, 512)
    assert model.test_cfg.rpn.nms_pre == 2000
    assert model.test_cfg.rcnn.nms.iou_threshold == 0.4
    assert model.test_cfg.rcnn.score_thr == 0.01
    # warm-up 250 iterations from 0.001, then no decay (step=[100])
    assert [dict(s) for s in cfg.param_scheduler] == [
        dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
             end=250)]
    if name == EVA02_COCO:
        assert clip.pretrained == 'merged2b_s8b_b131k'
        assert model.backbone.clip_checkpoint is None
    else:
        assert clip.pretrained is None
        assert model.backbone.clip_checkpoint == (
            'checkpoints/eva_vitb16_coco_clipself_proposals.pt')
        assert model.backbone.clip_checkpoint_prefix == 'visual.'
        assert model.backbone.clip_checkpoint_layout == 'eva_clip'
        assert bbox_head.cls_predictor_cfg.embeddings == load(
            EVA02_COCO).model.roi_head.bbox_head.cls_predictor_cfg.embeddings


@pytest.mark.parametrize('name', CONFIGS)
def test_builds_trains_and_predicts(name):
    cfg = load(name)
    patch = cfg.model.roi_head.clip_roi_extractor.featmap_strides[0]
    model = MODELS.build(for_cpu(cfg.model))
    assert type(model.backbone.vision_trunk).__name__ == FAMILY_TRUNK[
        family(cfg.model.backbone.clip)]
    num_classes = cfg.model.roi_head.bbox_head.num_classes
    size = 8 * patch
    packed = demo_mm_inputs(
        batch_size=2, image_shapes=[(3, size, size)] * 2,
        num_classes=num_classes, with_mask=model.with_mask)
    novel = set(cfg.model.roi_head.bbox_head.novel_class_ids)
    base_ids = torch.tensor([i for i in range(num_classes) if i not in novel])
    for sample in packed['data_samples']:  # training boxes are base only
        labels = sample.gt_instances.labels
        sample.gt_instances.labels = base_ids[labels % len(base_ids)]
    tower = {k: v.clone() for k, v in model.backbone.visual.state_dict().items()}
    model.init_weights()  # keeps a pretrained tag's weights
    assert all(torch.equal(v, tower[k])
               for k, v in model.backbone.visual.state_dict().items())

    assert torch.isfinite(train_loss(model, packed))
    assert all(p.grad is None for p in model.backbone.visual.parameters())
    assert model.roi_head.bbox_head.fc_cls.proj.weight.grad is not None

    model.eval()
    with torch.no_grad():
        data = model.data_preprocessor(packed, False)
        results = model(**data, mode='predict')
    assert_detections(results, 2)
