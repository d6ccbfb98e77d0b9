"""FGCLIP2Pretrainer, its data preprocessor and the FG-CLIP 2 configs on a
tiny released-layout FG-CLIP 2, on CPU."""
import math
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from torch import nn

from fgclip_det.datasets import (
    FineHARDDataset,
    ResizeToSquare,
    generate_synthetic_dataset,
)
from fgclip_det.engine import apply_device_policy, apply_train_args
from fgclip_det.models.pretrain import RegionalContrastiveHead
from fgclip_det.models.pretrain.fgclip2 import (
    FGCLIP2HardNegativeHead,
    SigLIPGlobalHead,
    TextualIntraContrastiveLoss,
)
from fgclip_det.registry import MODELS, RUNNERS
from fgclip_det.structures import NaFlexBatch
from fgclip_det.testing.tiny_fgclip2 import SPECIAL_TOKENS, write_tiny_fgclip2
from fgclip_det.utils import get_config_path

BASE = 'fgclip2/fgclip2-stage2_base_8xb512-6e_finehard.py'
QUICKSTART = 'quickstart/fgclip2-stage2_tiny_1xb16-12e_synthetic.py'
PREFIX = 'a photo of '
PAD_ID = SPECIAL_TOKENS.index('<pad>')
STAGE2 = dict(
    regional_head=dict(type='RegionalContrastiveHead', loss_weight=0.2),
    textual_intra_loss=dict(type='TextualIntraContrastiveLoss', loss_weight=0.1),
    hard_negative_head=dict(type='FGCLIP2HardNegativeHead', loss_weight=0.5))
#: FG-CLIP 2's parameters of the public ``text_model_lr`` group
#: (``dense_feature_head``, ``boxtext_head``, ``longtext_head``) here.
TEXT_MODEL_LR_MODULES = ('clip.visual.dense_head.', 'clip.box_text_projection.',
                         'clip.long_text_projection.')


@pytest.fixture(autouse=True)
def scope():
    init_default_scope('fgclip_det')


@pytest.fixture(scope='module')
def tiny_dir(tmp_path_factory):
    return write_tiny_fgclip2(str(tmp_path_factory.mktemp('fgclip2-tiny')))


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('synthetic')
    generate_synthetic_dataset(root, num_train=4, num_val=2, image_size=64,
                               progress=False)
    return root


def pipeline(max_num_patches):
    return [dict(type='LoadCLIPImage'),
            dict(type='NaFlexResize', patch_size=16,
                 max_num_patches=max_num_patches),
            dict(type='PackCLIPInputs', short_caption_prefix=PREFIX)]


def samples_of(data_root, max_num_patches=16, indices=(0, 1, 2)):
    dataset = FineHARDDataset(ann_file='finehard/train.json',
                              data_root=str(data_root),
                              pipeline=pipeline(max_num_patches), test_mode=True)
    return [dataset[i] for i in indices]


def build_model(tiny_dir, data_preprocessor=None, **heads):
    torch.manual_seed(0)
    return MODELS.build(dict(
        type='FGCLIP2Pretrainer', clip=dict(type='FGCLIP2', pretrained=tiny_dir),
        data_preprocessor=data_preprocessor, **heads))


# ----------------------------------------------------------- preprocessor
def test_preprocessor_batches_naflex_images_and_full_length_tokens(
        tiny_dir, data_root):
    model = build_model(tiny_dir)
    tokenizer = model.clip.tokenizer
    # Two resolutions of one image: a 4 x 4 and an 8 x 8 grid.
    small, large = samples_of(data_root, 16, [0])[0], samples_of(data_root, 64, [0])[0]
    large['data_samples'].short_caption = 'A Photo Of A RED Circle'
    large['data_samples'].region_boxes[0, 2] = 1e4  # clipped, with a warning
    packed = set(small['data_samples'].keys())
    with pytest.warns(UserWarning, match='1 of'):
        data = model.data_preprocessor(pseudo_collate([small, large]))
    images, samples = data['inputs'], data['data_samples']
    assert isinstance(images, NaFlexBatch)
    # The batch max bucket: 64 cells -> 128 rows (FG-CLIP 2's collator).
    assert images.patches.shape == (2, 128, 16 * 16 * 3)
    assert images.spatial_shapes.tolist() == [[4, 4], [8, 8]]
    assert images.mask.sum(1).tolist() == [16, 64]
    assert images.patches.abs().max() <= 1 and images.patches[1, 64:].eq(0).all()
    # Normalised boxes do not depend on the resolution (clipped to 1).
    boxes = samples[1].norm_region_boxes
    assert boxes.max() <= 1 and boxes[0, 2] == 1
    torch.testing.assert_close(samples[0].norm_region_boxes[1:], boxes[1:],
                               atol=0.02, rtol=0)

    first = samples[0]
    assert first.short_caption.startswith(PREFIX)  # PackCLIPInputs' prefix
    assert first.long_tokens.shape == (196, )
    assert first.short_tokens.shape == (64, )
    expected = tokenizer([first.short_caption])[0]
    assert first.short_tokens.tolist() == expected.tolist()
    # Padded to the full length with <pad>; ids only, no attention mask.
    assert first.short_tokens[-1] == PAD_ID and first.long_tokens[-1] == PAD_ID
    assert set(first.keys()) - packed == {
        'long_tokens', 'short_tokens', 'region_tokens', 'hard_tokens',
        'hard_index', 'norm_region_boxes'}
    # Lowercased: the same ids as the lowercase text, no unknown word.
    lower = tokenizer([PREFIX + 'a red circle'])[0]
    assert samples[1].short_tokens.tolist() == lower.tolist()
    assert SPECIAL_TOKENS.index('<unk>') not in lower.tolist()

    num = len(first.region_texts)
    hard_rows = first.has_negatives.nonzero().flatten()
    assert len(hard_rows) > 0
    assert first.region_tokens.shape == (num, 64)
    assert first.hard_tokens.shape == (len(hard_rows), 11, 64)
    assert first.hard_index.tolist() == hard_rows.tolist()
    for row, region in zip(first.hard_tokens, first.hard_index.tolist()):
        texts = [first.region_short_texts[region], *first.region_negatives[region]]
        assert row.tolist() == tokenizer(texts).tolist()


def test_preprocessor_errors(tiny_dir, data_root):
    model = build_model(tiny_dir)
    batch = pseudo_collate(samples_of(data_root, 16, [0]))
    sample = batch['data_samples'][0]
    sample.region_negatives[0] = ['only one']
    with pytest.raises(ValueError, match='num_negatives=10'):
        model.data_preprocessor(batch)
    bare = MODELS.build(dict(type='FGCLIP2DataPreprocessor'))
    with pytest.raises(RuntimeError, match='set_tokenizer'):
        bare(pseudo_collate(samples_of(data_root, 16, [0])))
    with pytest.raises(ValueError, match='patch size 16'):
        build_model(tiny_dir, dict(type='FGCLIP2DataPreprocessor', patch_size=14))


# ------------------------------------------------------------------ losses
def reference_losses(clip, inputs, samples):
    """The public stage-2 total from the FGCLIP2 API and the loss modules:
    pixel boxes on each image's own grid, every text through its walk with
    no attention mask."""
    tokenizer = clip.tokenizer
    image, dense = clip.encode_image_and_dense(inputs)
    sizes = [(h * 16, w * 16) for h, w in inputs.grids()]
    region = F.normalize(clip.pool_regions(
        dense, [s.region_boxes for s in samples], sizes), dim=-1)

    def text(texts, walk):
        ids = tokenizer(texts, long=walk == 'long')
        return clip.encode_text(ids, walk=walk, normalize=True)

    long = text([s.long_caption for s in samples], 'long')
    short = text([s.short_caption for s in samples], 'short')
    region_text = text([t for s in samples for t in s.region_texts], 'box')
    hard_rows, hard_texts, start = [], [], 0
    for sample in samples:
        for i, negatives in enumerate(sample.region_negatives):
            if negatives:
                hard_rows.append(start + i)
                hard_texts += [sample.region_short_texts[i], *negatives]
        start += len(sample.region_texts)
    hard_text = text(hard_texts, 'box').view(len(hard_rows), 11, -1)
    glob = SigLIPGlobalHead().loss(F.normalize(image, dim=-1), long, short,
                                   clip.logit_scale.exp(), clip.logit_bias)
    return (glob['loss_global_long'] + glob['loss_global_short'] +
            RegionalContrastiveHead(loss_weight=0.2).loss(
                region, region_text, clip.logit_scale_region.exp())['loss_region'] +
            TextualIntraContrastiveLoss(loss_weight=0.1)(region_text) +
            FGCLIP2HardNegativeHead(loss_weight=0.5).loss(
                region[hard_rows], hard_text,
                clip.logit_scale_hardneg.exp())['loss_hard_negative'])


def test_stage2_loss_is_the_public_weighted_sum(tiny_dir, data_root):
    model = build_model(tiny_dir, **STAGE2)
    batch = pseudo_collate(samples_of(data_root, 64, [0, 1, 2, 3]))
    data = model.data_preprocessor(batch, True)
    samples = data['data_samples']
    assert sum(s.has_negatives.sum() for s in samples) >= 2
    losses = model(**data, mode='loss')
    assert {k for k in losses if k.startswith('loss')} == {
        'loss_global_long', 'loss_global_short', 'loss_region',
        'loss_textual_intra', 'loss_hard_negative'}
    # log(100) for the stage-2 scales, as the public training adds them.
    assert losses['logit_scale_region'].item() == pytest.approx(100, rel=1e-5)
    assert losses['logit_scale_hardneg'].item() == pytest.approx(100, rel=1e-5)
    total, _ = model.parse_losses(losses)
    expected = reference_losses(model.clip, data['inputs'], samples)
    torch.testing.assert_close(total, expected)

    total.backward()
    clip = model.clip
    for name in ('logit_scale', 'logit_bias', 'logit_scale_region',
                 'logit_scale_hardneg', 'visual.dense_head.q.weight',
                 'box_text_projection.weight', 'long_text_projection.weight'):
        grad = clip.get_parameter(name).grad
        assert grad is not None and grad.abs().sum() > 0, name
    # The CMR threshold moved for the next step.
    assert model.hard_negative_head.cmr_threshold.item() > 0


def test_a_batch_without_boxes_counts_and_still_trains(tiny_dir, data_root):
    model = build_model(tiny_dir, **STAGE2)
    batch = pseudo_collate(samples_of(data_root, 16, [0, 1]))
    for sample in batch['data_samples']:
        sample.region_boxes = sample.region_boxes[:0]
        sample.region_texts, sample.region_short_texts = [], []
        sample.region_negatives = []
    losses = model(**model.data_preprocessor(batch, True), mode='loss')
    for key in ('loss_region', 'loss_textual_intra', 'loss_hard_negative'):
        assert losses[key].item() == 0, key
    assert model.num_batches_without == dict(regions=1, hard_negatives=1)
    model.parse_losses(losses)[0].backward()
    assert model.clip.visual.dense_head.q.weight.grad is not None


def test_predict_ranks_each_region_against_its_negatives(tiny_dir, data_root):
    model = build_model(tiny_dir).eval()
    batch = pseudo_collate(samples_of(data_root, 16, [0, 1, 2]))
    first = batch['data_samples'][0]
    first.region_negatives[0] = []  # one region without negatives
    first.has_negatives[0] = False
    data = model.data_preprocessor(batch)
    with torch.no_grad():
        samples = model(**data, mode='predict')
    for sample in samples:
        scores = sample.region_scores
        assert scores.shape == (len(sample.region_texts), 11)
        assert sample.image_embedding.norm().item() == pytest.approx(1)
        assert scores[:, 1:].isfinite().all(1).tolist() == \
            sample.has_negatives.tolist()
        assert scores[:, 0].isfinite().all()
    assert not samples[0].region_scores[0, 1:].isfinite().any()


def test_small_images_are_stretched_before_naflex():
    boxes = np.array([[10, 10, 50, 90]], dtype=np.float32)
    resize = ResizeToSquare(512, min_side=128)
    large = resize.transform(dict(img=np.zeros((200, 300, 3), np.uint8),
                                  region_boxes=boxes.copy()))
    assert large['img'].shape == (200, 300, 3)
    small = resize.transform(dict(img=np.zeros((100, 300, 3), np.uint8),
                                  region_boxes=boxes.copy()))
    assert small['img'].shape == (512, 512, 3)
    assert small['region_boxes'][0, 3] == pytest.approx(90 * 5.12)


# ----------------------------------------------------------------- configs
def public_groups(model: nn.Module, text_model_lr: float, lr: float) -> dict:
    """Per parameter ``(lr, weight_decay)`` of the public
    ``CLIPTrainer.create_optimizer``: no decay for LayerNorm parameters and
    names with "bias"; ``text_model_lr`` for the three heads."""
    groups = {}
    for module_name, module in model.named_modules():
        for name, _ in module.named_parameters(recurse=False):
            full = f'{module_name}.{name}' if module_name else name
            decay = not isinstance(module, nn.LayerNorm) and 'bias' not in full
            head = full.startswith(TEXT_MODEL_LR_MODULES)
            groups[full] = (text_model_lr if head else lr, 0.001 if decay else 0.0)
    return groups


def test_base_config_builds_with_the_public_optimiser_groups(tiny_dir):
    cfg = Config.fromfile(get_config_path(BASE))
    assert cfg.model.type == 'FGCLIP2Pretrainer'
    assert [cfg.model[key].loss_weight for key in (
        'regional_head', 'textual_intra_loss', 'hard_negative_head')] == [0.2, 0.1, 0.5]
    assert cfg.model.global_head.gather
    assert cfg.model.clip.pretrained == 'checkpoints/fg-clip2-base'
    assert cfg.train_dataloader.batch_size == 512
    assert cfg.model.data_preprocessor.get('max_num_patches') is None
    cfg.model.clip.pretrained = tiny_dir
    model = MODELS.build(cfg.model)
    lr = cfg.optim_wrapper.optimizer.lr
    # text_model_lr = 2 lr: the heads' custom keys carry the ratio.
    for key, options in cfg.optim_wrapper.paramwise_cfg.custom_keys.items():
        if key.startswith(tuple(m.rstrip('.') for m in TEXT_MODEL_LR_MODULES)):
            options.lr_mult = 2.0
    optim = build_optim_wrapper(model, apply_device_policy(cfg).optim_wrapper)
    names = {id(p): n for n, p in model.named_parameters()}
    got = {names[id(p)]: (group['lr'], group['weight_decay'])
           for group in optim.optimizer.param_groups for p in group['params']}
    expected = public_groups(model, 2 * lr, lr)
    expected = {k: v for k, v in expected.items()
                if model.get_parameter(k).requires_grad}
    assert set(got) == set(expected)
    assert {k: got[k] for k in got if got[k] != expected[k]} == {}


def test_quickstart_trains_and_its_checkpoint_reloads(tiny_dir, data_root,
                                                      tmp_path):
    path = get_config_path(QUICKSTART)
    cfg = Config.fromfile(path)
    loader = dict(batch_size=2, num_workers=0, persistent_workers=False)
    cfg.merge_from_dict({
        'model.clip.pretrained': tiny_dir,
        'train_dataloader': dict(loader, dataset=dict(data_root=str(data_root))),
        'val_dataloader': dict(loader, dataset=dict(data_root=str(data_root))),
        'train_cfg': dict(_delete_=True, type='IterBasedTrainLoop', max_iters=3,
                          val_interval=3),
        'default_hooks.checkpoint': dict(by_epoch=False, interval=3),
        'default_hooks.logger.interval': 1,
    })
    apply_train_args(cfg, path, work_dir=str(tmp_path))
    runner = RUNNERS.build(cfg)
    runner.train()
    scalars = runner.message_hub.log_scalars
    losses = [key for key in scalars if key.startswith('train/loss')]
    assert {'train/loss', 'train/loss_hard_negative',
            'train/loss_textual_intra'} <= set(losses)
    for key in losses:
        assert math.isfinite(scalars[key].current()), key
    metrics = runner.val_loop.run()
    assert 0 <= metrics['fg_ranking/hard_negative_top1'] <= 100

    checkpoint = osp.join(str(tmp_path), 'iter_3.pth')
    state = torch.load(checkpoint, weights_only=True)['state_dict']
    assert 'hard_negative_head.cmr_threshold' in state
    reloaded = MODELS.build(cfg.model)
    load_checkpoint(reloaded, checkpoint, strict=True)
    for key, value in runner.model.state_dict().items():
        torch.testing.assert_close(reloaded.state_dict()[key], value, msg=key)
