"""The stage-2 recipe of the public FG-CLIP code (v1, ``fgclip/train/
train_fgclip.py`` and ``fgclip/model/clip_strc/fgclip.py``) on the tiny CLIP.

- ``train()``: ``model.logit_scale_finegraind = nn.Parameter(torch.ones([])
  * model.logit_scale)``, the same for ``logit_scale_hardneg``, once the
  model is loaded (log-scales; the losses use ``.exp()``, uncapped).
- ``LazySupervisedBboxDataset.__getitem__``: ``"a photo of " +
  item["short_caption"]`` (nothing else prefixed); the hard negatives pair
  with ``short_expr`` whichever caption the regional loss draws.
"""
import math
import types
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.hooks import Hook
from mmengine.registry import init_default_scope
from mmengine.structures import BaseDataElement

from fgclip_det.datasets import FineHARDDataset
from fgclip_det.datasets.transforms import PackCLIPInputs
from fgclip_det.engine import CheckpointSafeRunner, InitRegionScalesHook
from fgclip_det.models.clip import FGCLIP, LOGIT_SCALE_INIT
from fgclip_det.models.pretrain import HardNegativeHead
from fgclip_det.registry import MODELS
from fgclip_det.testing.tiny_clip import (
    STAGE2_HEADS,
    TINY_PRETRAIN_PIPELINE,
    tiny_fgclip_cfg,
    tiny_open_clip_cfg,
    write_tiny_open_clip_checkpoint,
)
from fgclip_det.utils import get_config_path

SCALES = ('logit_scale', 'logit_scale_region', 'logit_scale_hardneg')


@pytest.fixture(autouse=True)
def scope():
    init_default_scope('fgclip_det')


def build_model(**kwargs):
    torch.manual_seed(0)
    return MODELS.build(
        dict(type='FGCLIPPretrainer', clip=tiny_fgclip_cfg(), **kwargs))


def public_region_scale(global_log_scale: torch.Tensor) -> torch.Tensor:
    """``torch.ones([]) * model.logit_scale`` of the public ``train()``."""
    return torch.ones([]) * global_log_scale.detach()


# ---------------------------------------------------------------- scales
def test_region_scales_start_at_the_pretrained_global_scale(tmp_path):
    path = tmp_path / 'open_clip.pt'
    state = write_tiny_open_clip_checkpoint(str(path), seed=1)
    model = FGCLIP(model_cfg=tiny_open_clip_cfg(), pretrained=str(path))
    expected = public_region_scale(state['logit_scale'])
    assert expected.item() != pytest.approx(LOGIT_SCALE_INIT)
    # Log-scales copied as logs, not their exponentials.
    torch.testing.assert_close(model.logit_scale_region.detach(), expected)
    torch.testing.assert_close(model.logit_scale_hardneg.detach(), expected)
    assert model.logit_scale_region is not model.logit_scale
    # A toolkit checkpoint brings its own trained region scales.
    with torch.no_grad():
        model.logit_scale_region.fill_(1.5)
        model.logit_scale_hardneg.fill_(2.5)
    model.save(str(tmp_path / 'fgclip.pth'))
    loaded = FGCLIP(model_cfg=tiny_open_clip_cfg(),
                    checkpoint=str(tmp_path / 'fgclip.pth'))
    assert loaded.logit_scale_region.item() == 1.5
    assert loaded.logit_scale_hardneg.item() == 2.5


def test_init_region_logit_scales_copies_in_log_space():
    model = FGCLIP(model_cfg=tiny_open_clip_cfg())
    with torch.no_grad():
        model.logit_scale.fill_(math.log(100))
    model.init_region_logit_scales(['logit_scale_hardneg'])
    assert model.logit_scale_hardneg.item() == pytest.approx(math.log(100))
    assert model.logit_scale_region.item() == pytest.approx(LOGIT_SCALE_INIT)
    with pytest.raises(ValueError, match='logit_scale'):
        model.init_region_logit_scales(['logit_scale'])


def test_pretrainer_sets_only_the_scales_of_its_heads():
    stage2 = build_model(**STAGE2_HEADS)
    stage1 = build_model()
    keep = build_model(init_region_scales_from_global=False, **STAGE2_HEADS)
    for model in (stage2, stage1, keep):
        with torch.no_grad():
            model.clip.logit_scale.fill_(3.0)
    assert stage2.init_region_scales() == ['logit_scale_region',
                                           'logit_scale_hardneg']
    assert stage2.clip.logit_scale_region.item() == 3.0
    assert stage2.clip.logit_scale_hardneg.item() == 3.0
    assert stage1.init_region_scales() == []
    assert keep.init_region_scales() == []
    for model in (stage1, keep):
        assert model.clip.logit_scale_region.item() == pytest.approx(
            LOGIT_SCALE_INIT)


def test_scales_are_uncapped_and_trainable_at_openai_init(data_root):
    # OpenAI CLIP's log-scale, 4.6052: exp() is just above 100, so a cap at
    # 100 would stop its gradient; the public losses use .exp() as it is.
    model = build_model(**STAGE2_HEADS)
    with torch.no_grad():
        for name in SCALES:
            getattr(model.clip, name).fill_(4.6052)
    batch = batch_of(data_root)
    losses = model(**model.data_preprocessor(batch), mode='loss')
    assert losses['logit_scale'].item() == pytest.approx(math.exp(4.6052))
    assert losses['logit_scale'].item() > 100
    model.parse_losses(losses)[0].backward()
    for name in SCALES:
        assert getattr(model.clip, name).grad != 0, name
    capped = build_model(max_logit_scale=100.0)
    assert capped.scale(torch.tensor(4.6052)).item() == 100.0
    with pytest.raises(ValueError, match='0'):
        build_model(max_logit_scale=0)


def test_pretrainer_applies_the_head_settings():
    model = build_model(
        regional_head=dict(type='RegionalContrastiveHead',
                           logit_scale_name='logit_scale'),
        hard_negative_head=dict(type='HardNegativeHead',
                                learn_logit_scale=False))
    clip = model.clip
    assert clip.logit_scale.requires_grad
    assert not clip.logit_scale_region.requires_grad  # no head uses it
    assert not clip.logit_scale_hardneg.requires_grad  # its head freezes it
    assert model.region_scale_names() == ['logit_scale_hardneg']
    with pytest.raises(ValueError, match='learn_logit_scale'):
        build_model(regional_head=dict(type='RegionalContrastiveHead',
                                       logit_scale_name='logit_scale',
                                       learn_logit_scale=False))


def test_the_pretrainer_cap_is_the_default_of_the_heads():
    model = build_model(
        max_logit_scale=50.0,
        regional_head=dict(type='RegionalContrastiveHead'),
        hard_negative_head=dict(type='HardNegativeHead', max_logit_scale=None))
    assert model.global_head.max_logit_scale == 50.0
    assert model.regional_head.max_logit_scale == 50.0
    assert model.hard_negative_head.max_logit_scale is None


class RecordScales(Hook):
    """Records the log-scales when training starts (after every other hook)."""

    priority = 'LOWEST'

    def __init__(self):
        self.scales = None

    def before_train(self, runner):
        clip = runner.model.clip
        self.scales = {name: getattr(clip, name).item() for name in SCALES}


def write_stage1_checkpoint(path: Path, global_scale: float,
                            region_scale: float) -> None:
    model = build_model()
    with torch.no_grad():
        model.clip.logit_scale.fill_(global_scale)
        model.clip.logit_scale_region.fill_(region_scale)
        model.clip.logit_scale_hardneg.fill_(region_scale)
    torch.save(dict(meta={}, state_dict=model.state_dict()), str(path))


def run_stage2(data_root, work_dir, *, max_iters=1, model_kwargs=None, **cfg):
    recorder = RecordScales()
    runner = CheckpointSafeRunner(
        model=dict(type='FGCLIPPretrainer', clip=tiny_fgclip_cfg(),
                   **STAGE2_HEADS, **(model_kwargs or {})),
        work_dir=str(work_dir),
        train_dataloader=dict(
            dataset=dict(type='FineHARDDataset', data_root=str(data_root),
                         ann_file='finehard/train.json',
                         pipeline=TINY_PRETRAIN_PIPELINE),
            sampler=dict(type='DefaultSampler', shuffle=False),
            collate_fn=dict(type='pseudo_collate'),
            batch_size=2,
            num_workers=0),
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=max_iters),
        # lr 0: the scales recorded and checkpointed are the ones set up.
        optim_wrapper=dict(optimizer=dict(type='AdamW', lr=0.0)),
        default_hooks=dict(
            checkpoint=dict(type='AtomicCheckpointHook', interval=1,
                            by_epoch=False)),
        custom_hooks=[dict(type='PlainCheckpointHook'),
                      dict(type='InitRegionScalesHook'), recorder],
        default_scope='fgclip_det',
        **cfg)
    runner.train()
    return recorder.scales


def test_load_from_then_the_region_scales_start_at_its_global_scale(
        data_root, tmp_path):
    ckpt = tmp_path / 'stage1.pth'
    write_stage1_checkpoint(ckpt, global_scale=4.0, region_scale=1.0)
    scales = run_stage2(data_root, tmp_path / 'copy', load_from=str(ckpt))
    expected = public_region_scale(torch.tensor(4.0)).item()
    assert scales == dict(logit_scale=4.0, logit_scale_region=expected,
                          logit_scale_hardneg=expected)
    kept = run_stage2(data_root, tmp_path / 'keep', load_from=str(ckpt),
                      model_kwargs=dict(init_region_scales_from_global=False))
    assert kept == dict(logit_scale=4.0, logit_scale_region=1.0,
                        logit_scale_hardneg=1.0)


def test_a_resumed_run_keeps_the_scales_of_its_checkpoint(data_root, tmp_path):
    ckpt = tmp_path / 'stage1.pth'
    write_stage1_checkpoint(ckpt, global_scale=4.0, region_scale=1.0)
    # A stage-2 run whose region scales (1.0) differ from the global one.
    work_dir = tmp_path / 'stage2'
    run_stage2(data_root, work_dir, load_from=str(ckpt),
               model_kwargs=dict(init_region_scales_from_global=False))
    resumed = run_stage2(data_root, work_dir, max_iters=2, resume=True,
                         load_from=str(work_dir / 'iter_1.pth'))
    assert resumed == dict(logit_scale=4.0, logit_scale_region=1.0,
                           logit_scale_hardneg=1.0)


def test_hook_needs_the_pretrainer():
    runner = types.SimpleNamespace(model=torch.nn.Linear(2, 2), iter=0)
    with pytest.raises(TypeError, match='Linear'):
        InitRegionScalesHook().before_train(runner)


@pytest.mark.parametrize('name', [
    'fgclip/fgclip-stage2_vitb16-224px_8xb512-1e_finehard.py',
    'fgclip/fgclip-stage2_vitl14-336px_8xb512-1e_finehard.py',
    'quickstart/fgclip-stage2_vit-tiny_1xb16-12e_synthetic.py',
])
def test_stage2_configs_follow_the_public_recipe(name):
    cfg = Config.fromfile(get_config_path(name))
    assert [h.type for h in cfg.custom_hooks] == ['InitRegionScalesHook']
    assert cfg.model.get('init_region_scales_from_global', True)
    assert cfg.model.get('max_logit_scale') is None
    assert cfg.train_dataloader.dataset.long_region_caption_prob == 0.5
    # Validation keeps the short expressions.
    assert cfg.val_dataloader.dataset.get('long_region_caption_prob', 0) == 0
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        pack = loader.dataset.pipeline[-1]
        assert pack.type == 'PackCLIPInputs'
        assert pack.short_caption_prefix == 'a photo of '


# --------------------------------------------------------------- prefix
def packed(prefix=None, short_caption='a dog on grass'):
    results = dict(
        img=torch.zeros(4, 4, 3, dtype=torch.uint8).numpy(),
        long_caption='a long caption',
        short_caption=short_caption,
        region_boxes=[[0, 0, 2, 2]],
        region_texts=['a dog in the grass field'],
        region_short_texts=['a dog'],
        region_negatives=[['a cat']],
        has_negatives=[True])
    kwargs = {} if prefix is None else dict(short_caption_prefix=prefix)
    return PackCLIPInputs(**kwargs).transform(results)['data_samples']


def test_only_the_short_caption_gets_the_prefix():
    sample = packed('a photo of ')
    assert sample.short_caption == 'a photo of a dog on grass'
    assert sample.long_caption == 'a long caption'
    assert sample.region_texts == ['a dog in the grass field']
    assert sample.region_short_texts == ['a dog']
    assert sample.region_negatives == [['a cat']]
    # The public code prefixes unconditionally.
    assert packed('a photo of ', 'a photo of a dog').short_caption == (
        'a photo of a photo of a dog')
    assert packed().short_caption == 'a dog on grass'
    with pytest.raises(TypeError, match='None'):
        PackCLIPInputs(short_caption_prefix=None)


# ------------------------------------------------------- hard positives
def batch_of(data_root, size=3):
    dataset = FineHARDDataset(ann_file='finehard/train.json',
                              data_root=str(data_root), pipeline=TINY_PRETRAIN_PIPELINE,
                              long_region_caption_prob=1.0)
    return pseudo_collate([dataset[i] for i in range(size)])


def test_hard_negatives_pair_with_the_short_expression(data_root):
    model = build_model(**STAGE2_HEADS).eval()
    batch = batch_of(data_root)
    samples = batch['data_samples']
    # One region without negatives: its short expression is not embedded.
    samples[-1].region_negatives[-1] = []
    longs = [t for s in samples for t in s.region_texts]
    shorts = [t for s in samples for t in s.region_short_texts]
    assert all(a != b for a, b in zip(longs, shorts))
    data = model.data_preprocessor(batch)
    extra = sum(len(s.hard_positive_tokens) for s in data['data_samples'])
    assert extra == len(longs) - 1
    with torch.no_grad():
        feats = model(**data, mode='tensor')
        clip = model.clip
        torch.testing.assert_close(
            feats['region_text'], clip.encode_text(longs, normalize=True))
        expected = clip.encode_text(shorts, normalize=True)
        expected[-1] = feats['region_text'][-1]  # no negatives: its caption
        torch.testing.assert_close(feats['hard_positive_text'], expected)

        losses = model(**data, mode='loss')
        hard = HardNegativeHead().loss(
            feats['region'], clip.encode_text(shorts, normalize=True),
            feats['negative_text'], clip.logit_scale_hardneg.exp(),
            feats['negative_mask'])
        torch.testing.assert_close(losses['loss_hard_negative'],
                                   hard['loss_hard_negative'])
        scores = model(**model.data_preprocessor(batch_of(data_root)),
                       mode='predict')[0].region_scores
    region = feats['region'][:len(scores)]
    torch.testing.assert_close(
        scores[:, 0],
        (region * clip.encode_text(samples[0].region_short_texts,
                                   normalize=True)).sum(-1))


def test_short_captions_need_no_extra_pass(data_root):
    model = build_model(**STAGE2_HEADS)
    dataset = FineHARDDataset(ann_file='finehard/train.json',
                              data_root=str(data_root), pipeline=TINY_PRETRAIN_PIPELINE)
    data = model.data_preprocessor(
        pseudo_collate([dataset[i] for i in range(2)]))
    for sample in data['data_samples']:
        assert sample.hard_positive_tokens.shape[0] == 0
    with torch.no_grad():
        feats = model(**data, mode='tensor')
    assert feats['hard_positive_text'] is feats['region_text']


def test_mismatched_region_short_texts_raise():
    sample = BaseDataElement(region_texts=['a', 'b'], region_short_texts=['a'],
                             region_negatives=[[], []])
    from fgclip_det.models.pretrain import FGCLIPDataPreprocessor
    with pytest.raises(ValueError, match='2 region_texts but 1'):
        FGCLIPDataPreprocessor.hard_positives([sample])
