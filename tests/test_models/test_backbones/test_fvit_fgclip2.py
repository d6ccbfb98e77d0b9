"""F-ViT on FG-CLIP 2: the NaFlex trunk adapter, the backbone from a released
folder or a toolkit checkpoint, the shipped configs on a tiny released
folder (build, one training step, predict) and the class embeddings."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmdet.testing import demo_mm_inputs
from mmengine.config import Config
from mmengine.registry import init_default_scope
from timm.layers import to_2tuple
from timm.models.naflexvit import batch_patchify

from fgclip_det.apis import OpenVocabDetector
from fgclip_det.models.backbones import FViTCLIPBackbone
from fgclip_det.models.clip import FGCLIP2, build_vision_trunk
from fgclip_det.models.clip.fgclip2 import FGCLIP2Trunk, save_fgclip2_hf
from fgclip_det.models.text import SINGLE_TEMPLATE, region_text_encoder
from fgclip_det.registry import MODELS
from fgclip_det.testing.detector_steps import assert_detections, train_loss
from fgclip_det.testing.tiny_fgclip2 import write_tiny_fgclip2
from fgclip_det.testing.tool_runs import import_tool
from fgclip_det.utils import get_config_path

CONFIGS = ('fvit/fvit_fgclip2-base_fpn_8xb8-3e_ov-coco.py',
           'fvit/fvit_fgclip2-base_fpn_8xb8-48e_ov-lvis.py')
NUM_CLASSES = 5
WIDTH = 64  # of the tiny model: token width = embedding width


@pytest.fixture(scope='module')
def folder(tmp_path_factory) -> str:
    """The tiny released folder, its box head moved off the short head (the
    tiny model starts with the two equal)."""
    folder = write_tiny_fgclip2(str(tmp_path_factory.mktemp('fg-clip2-tiny')))
    clip = FGCLIP2(pretrained=folder)
    with torch.no_grad():
        weight = clip.box_text_projection.weight
        weight.add_(torch.randn(weight.shape,
                                generator=torch.Generator().manual_seed(2)))
    save_fgclip2_hf(clip, folder)
    return folder


@pytest.fixture(scope='module')
def clip(folder) -> FGCLIP2:
    return FGCLIP2(pretrained=folder).eval()


def _images(*size: int) -> torch.Tensor:
    return torch.randn(2, 3, *size, generator=torch.Generator().manual_seed(1))


def _backbone(**kwargs) -> FViTCLIPBackbone:
    return FViTCLIPBackbone(out_indices=(0, 1, 2, 3), norm_cfg=dict(type='BN'),
                            **kwargs)


@torch.no_grad()
def test_adapter_features_are_the_models(clip):
    trunk = build_vision_trunk(clip.visual)
    assert isinstance(trunk, FGCLIP2Trunk) and isinstance(clip.vision_trunk,
                                                          FGCLIP2Trunk)
    assert (trunk.patch_size, trunk.width, trunk.num_blocks,
            trunk.num_prefix_tokens, trunk.dense_branch) == ((16, 16), WIDTH,
                                                             4, 0, 4)
    images = _images(64, 96)
    features = trunk.features(images, (0, 1, 2, 3), with_pooled=True,
                              with_dense=True)
    x, _, _ = clip.visual.embed(images)
    for block, level in zip(clip.visual.trunk.blocks, features.maps):
        x = block(x)
        torch.testing.assert_close(level, x.transpose(1, 2).unflatten(-1, (4, 6)))
    torch.testing.assert_close(features.pooled, clip.encode_image(images))
    torch.testing.assert_close(features.dense, clip.encode_dense(images))


@torch.no_grad()
@pytest.mark.parametrize('size', [(64, 96), (32, 64)])
def test_position_grid_is_resized_as_the_processor_does(clip, size):
    """Bilinear with antialias, no corner alignment, to the input's grid."""
    embeds = clip.visual.trunk.embeds
    images = _images(*size)
    patches, grid = batch_patchify(images, to_2tuple(16))
    table = F.interpolate(embeds.pos_embed.permute(0, 3, 1, 2), size=grid,
                          mode='bilinear', align_corners=False, antialias=True)
    tokens = clip.vision_trunk.embed(images)
    assert tokens.grid == tuple(grid)
    torch.testing.assert_close(tokens.x - embeds.proj(patches),
                               table.flatten(2).transpose(1, 2).expand(2, -1, -1))


def test_no_attention_free_last_block(clip):
    with pytest.raises(ValueError, match='FG-CLIP 2 NaFlex towers have no '
                                         'attention-free last block'):
        _backbone(clip=dict(type='FGCLIP2', arch=clip.arch),
                  last_block='value_path')


@pytest.mark.parametrize('source', ['pretrained', 'folder', 'toolkit'])
def test_backbone_loads_the_tower_and_freezes_it(clip, folder, tmp_path, source):
    if source == 'pretrained':
        backbone = _backbone(clip=dict(type='FGCLIP2', pretrained=folder))
    elif source == 'folder':
        backbone = _backbone(clip=dict(type='FGCLIP2', arch=clip.arch),
                             clip_checkpoint=folder,
                             clip_checkpoint_layout='fgclip2_hf',
                             clip_checkpoint_prefix='visual.')
    else:
        clip.save(str(tmp_path / 'fgclip2.pth'))
        backbone = _backbone(clip=dict(type='FGCLIP2', arch=clip.arch),
                             clip_checkpoint=str(tmp_path / 'fgclip2.pth'),
                             clip_checkpoint_prefix='visual.')
    backbone.init_weights()
    expected = clip.visual.state_dict()
    assert all(torch.equal(value, expected[key])
               for key, value in backbone.visual.state_dict().items())
    assert not any(p.requires_grad for p in backbone.visual.parameters())
    assert not backbone.train().visual.training
    images = _images(64, 96)
    with torch.no_grad():
        levels, dense = backbone.forward_with_dense(images)
        expected_dense = clip.encode_dense(images, normalize=True)
    assert [level.shape[-2:] for level in levels] == [
        (16, 24), (8, 12), (4, 6), (2, 3)]
    torch.testing.assert_close(dense, expected_dense)


def test_a_folder_needs_the_fgclip2_layout(clip, folder):
    backbone = _backbone(clip=dict(type='FGCLIP2', arch=clip.arch),
                         clip_checkpoint=folder)
    with pytest.raises(ValueError, match="is a folder: .*clip_checkpoint_layout="
                                         "'fgclip2_hf'"):
        backbone.init_weights()


def tiny_config(config: str, folder: str) -> Config:
    """A shipped config on the tiny folder, overridden as --cfg-options do."""
    cfg = Config.fromfile(get_config_path(config))
    init_default_scope(cfg.default_scope)
    cfg.merge_from_dict({
        'model.backbone.clip.pretrained': folder,
        'model.backbone.out_indices': [0, 1, 2, 3],
        'model.backbone.norm_cfg': dict(type='BN'),
        'model.data_preprocessor.batch_augments': None,
        'model.neck.in_channels': [WIDTH] * 4,
        'model.roi_head.bbox_head.num_classes': NUM_CLASSES,
        'model.roi_head.bbox_head.novel_class_ids': [4],
        'model.roi_head.bbox_head.norm_cfg': dict(type='BN'),
        'model.roi_head.bbox_head.cls_predictor_cfg.embeddings': torch.randn(
            NUM_CLASSES, WIDTH),
        'model.roi_head.clip_roi_extractor.out_channels': WIDTH,
        'model.train_cfg.rcnn.sampler.num': 32,
        'model.train_cfg.rpn_proposal.max_per_img': 50,
        'model.test_cfg.rpn.max_per_img': 20,
        'model.test_cfg.rcnn.max_per_img': 10,
    })
    if cfg.model.roi_head.get('mask_head'):
        cfg.model.roi_head.mask_head.num_classes = NUM_CLASSES
    return cfg


@pytest.mark.parametrize('config', CONFIGS)
def test_config_trains_a_step_and_predicts(folder, clip, config):
    torch.manual_seed(0)
    model = MODELS.build(tiny_config(config, folder).model)
    assert isinstance(model.backbone.vision_trunk, FGCLIP2Trunk)
    expected = clip.visual.state_dict()
    assert all(torch.equal(value, expected[key])
               for key, value in model.backbone.visual.state_dict().items())
    packed = demo_mm_inputs(batch_size=2, image_shapes=[(3, 128, 96)] * 2,
                            num_classes=4, with_mask=model.with_mask)
    assert torch.isfinite(train_loss(model, packed))
    assert all(p.grad is None for p in model.backbone.visual.parameters())
    assert all(p.grad is not None for p in model.backbone.adapters.parameters())

    model.eval()
    with torch.no_grad():
        results = model.test_step(packed)
    assert_detections(results, 2, NUM_CLASSES)
    assert all(len(result.pred_instances) > 0 for result in results)


@torch.no_grad()
def test_class_embeddings_use_the_box_walk(clip, folder, tmp_path, monkeypatch):
    assert region_text_encoder(clip) == clip.encode_region_text
    long = region_text_encoder(clip, long=True)
    torch.testing.assert_close(long(['a cat']), clip.encode_text(['a cat'], long=True))

    names = ['red circle', 'blue square']
    prompts = [f'a photo of a {name}.' for name in names]
    box = F.normalize(clip.encode_region_text(prompts), dim=-1)
    assert not torch.allclose(box, F.normalize(clip.encode_text(prompts), dim=-1))
    config = tmp_path / 'det.py'
    config.write_text(f"model = dict(backbone=dict(clip=dict(type='FGCLIP2', "
                      f"pretrained={folder!r})))\n")
    out = tmp_path / 'emb.pt'
    monkeypatch.setattr('sys.argv', [
        'build_text_embeddings.py', '--config', str(config), '--vocab',
        ','.join(names), '--out', str(out), '--templates', 'single'])
    import_tool('build_text_embeddings.py').main()
    torch.testing.assert_close(torch.load(out, weights_only=True)['embeddings'],
                               box)


@torch.no_grad()
def test_open_vocabulary_detector_embeds_with_the_box_walk(folder, clip,
                                                          tmp_path):
    """No clip_checkpoint: the text tower is the config's pretrained folder."""
    cfg = tiny_config(CONFIGS[0], folder)
    checkpoint = str(tmp_path / 'fvit.pth')
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict()}, checkpoint)
    detector = OpenVocabDetector(cfg, checkpoint, templates=SINGLE_TEMPLATE)
    names = ['red circle', 'blue square']
    torch.testing.assert_close(
        detector.encode_vocabulary(names),
        F.normalize(clip.encode_region_text(
            [SINGLE_TEMPLATE[0].format(name) for name in names]), dim=-1))
    result = detector(np.zeros((64, 96, 3), np.uint8), names)
    assert set(result['labels']) <= set(names)
