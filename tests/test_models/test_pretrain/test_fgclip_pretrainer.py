"""FGCLIPPretrainer and its data preprocessor on the tiny CLIP, on CPU."""
import copy

import pytest
import torch
from mmengine.dataset import pseudo_collate
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from fgclip_det.datasets import FineHARDDataset, generate_synthetic_dataset
from fgclip_det.datasets.webdataset_shards import write_finehard_shards
from fgclip_det.models.pretrain import (
    GlobalContrastiveHead,
    HardNegativeHead,
    RegionalContrastiveHead,
)
from fgclip_det.models.pretrain.fgclip_data_preprocessor import trim_padding_columns
from fgclip_det.registry import MODELS
from fgclip_det.testing.tiny_clip import (
    STAGE2_HEADS,
    TINY_IMAGE_SIZE,
    TINY_PRETRAIN_PIPELINE,
    tiny_fgclip_cfg,
)


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('synthetic')
    generate_synthetic_dataset(
        root, num_train=4, num_val=4, image_size=64, progress=False)
    return root


@pytest.fixture(autouse=True)
def scope():
    init_default_scope('fgclip_det')


def build_model(data_preprocessor=None, **heads):
    torch.manual_seed(0)
    return MODELS.build(
        dict(
            type='FGCLIPPretrainer',
            clip=tiny_fgclip_cfg(),
            data_preprocessor=data_preprocessor,
            **heads))


def batch_of(data_root, split='train', size=3):
    dataset = FineHARDDataset(
        ann_file=f'finehard/{split}.json',
        data_root=str(data_root),
        pipeline=TINY_PRETRAIN_PIPELINE,
        test_mode=True)
    return pseudo_collate([dataset[i] for i in range(size)])


def test_preprocessor_tokenises_and_pads_negatives(data_root):
    model = build_model(
        dict(type='FGCLIPDataPreprocessor', trim_padding=False))
    batch = batch_of(data_root)
    batch['data_samples'][0].region_negatives[0] = ['only one']
    batch['data_samples'][1].region_negatives[0] = []
    data = model.data_preprocessor(batch)
    images, samples = data['inputs'], data['data_samples']
    assert images.shape == (3, 3, TINY_IMAGE_SIZE, TINY_IMAGE_SIZE)
    assert images.dtype == torch.float32 and images.abs().max() < 3
    first = samples[0]
    num_regions = len(first.region_texts)
    assert first.long_tokens.shape == (248, )
    assert first.short_tokens.shape == (77, )
    assert first.region_tokens.shape == (num_regions, 77)
    assert first.negative_tokens.shape == (num_regions, 10, 77)
    assert first.negative_mask[0].tolist() == [True] + [False] * 9
    assert not samples[1].negative_mask[0].any()
    third = samples[2]  # as the data set gave it
    assert third.negative_mask.all(1).tolist() == third.has_negatives.tolist()
    assert not third.negative_mask[~third.has_negatives].any()


def test_preprocessor_trims_padding_without_changing_embeddings(data_root):
    trimmed = build_model(**STAGE2_HEADS).eval()
    full = build_model(
        dict(type='FGCLIPDataPreprocessor', trim_padding=False),
        **STAGE2_HEADS).eval()
    batch = batch_of(data_root)
    data = trimmed.data_preprocessor(copy.deepcopy(batch))
    samples = data['data_samples']
    long_length = samples[0].long_tokens.shape[-1]
    short_length = samples[0].short_tokens.shape[-1]
    region_length = samples[0].region_tokens.shape[-1]
    # Region captions and negatives are a few words: trimmed apart from the
    # short captions, to a shorter length.
    assert long_length < 248 and region_length < short_length < 77
    for sample in samples:
        assert sample.long_tokens.shape == (long_length, )
        assert sample.short_tokens.shape == (short_length, )
        assert sample.region_tokens.shape[-1] == region_length
        assert sample.negative_tokens.shape[-1] == region_length
    # The longest text of each pass keeps its end-of-text token.
    eot = trimmed.data_preprocessor.tokenizer._bpe.eot_token_id
    regions = torch.cat([*[s.region_tokens for s in samples],
                         *[s.negative_tokens.flatten(0, 1) for s in samples]])
    for tokens in (torch.stack([s.long_tokens for s in samples]),
                   torch.stack([s.short_tokens for s in samples]), regions):
        assert (tokens[:, -1] == eot).any()

    with torch.no_grad():
        feats = trimmed(**data, mode='tensor')
        expected = full(**full.data_preprocessor(batch), mode='tensor')
    assert feats.keys() == expected.keys()
    for key in feats:
        torch.testing.assert_close(feats[key], expected[key])


def test_trim_padding_columns():
    ids = torch.tensor([[49406, 5, 49407, 0, 0], [49406, 49407, 0, 0, 0]])
    negatives = torch.zeros(2, 0, 5, dtype=torch.long)
    short, negs = trim_padding_columns(ids, negatives)
    assert short.tolist() == [[49406, 5, 49407], [49406, 49407, 0]]
    assert negs.shape == (2, 0, 3)
    (empty, ) = trim_padding_columns(torch.zeros(0, 5, dtype=torch.long))
    assert empty.shape == (0, 1)


def test_stage2_losses_are_the_weighted_head_losses(data_root):
    model = build_model(**STAGE2_HEADS)
    data = model.data_preprocessor(batch_of(data_root))
    losses = model(**data, mode='loss')
    assert {k for k in losses if k.startswith('loss')} == {
        'loss_global_long', 'loss_global_short', 'loss_region',
        'loss_hard_negative'
    }
    feats = model(**data, mode='tensor')
    clip = model.clip
    glob = GlobalContrastiveHead().loss(feats['image'], feats['long_text'],
                                        feats['short_text'],
                                        clip.logit_scale.exp())
    region = RegionalContrastiveHead(loss_weight=1.0).loss(
        feats['region'], feats['region_text'], clip.logit_scale_region.exp())
    hard = HardNegativeHead(loss_weight=1.0).loss(
        feats['region'], feats['hard_positive_text'], feats['negative_text'],
        clip.logit_scale_hardneg.exp(), feats['negative_mask'])
    expected = (glob['loss_global_long'] + glob['loss_global_short'] +
                0.1 * region['loss_region'] +
                0.5 * hard['loss_hard_negative'])
    total, _ = model.parse_losses(losses)
    torch.testing.assert_close(total, expected)

    total.backward()
    for scale in (clip.logit_scale, clip.logit_scale_region,
                  clip.logit_scale_hardneg):
        assert scale.grad is not None and scale.grad != 0


def test_stage1_trains_the_global_losses_only(data_root):
    model = build_model()
    data = model.data_preprocessor(batch_of(data_root))
    losses = model(**data, mode='loss')
    assert {k for k in losses if k.startswith('loss')} == {
        'loss_global_long', 'loss_global_short'
    }
    model.parse_losses(losses)[0].backward()
    assert model.clip.logit_scale.grad is not None
    assert not model.clip.logit_scale_region.requires_grad
    assert not model.clip.logit_scale_hardneg.requires_grad


def test_a_batch_without_regions_still_trains(data_root):
    model = build_model(**STAGE2_HEADS)
    batch = batch_of(data_root, size=2)
    for sample in batch['data_samples']:
        sample.region_boxes = sample.region_boxes[:0]
        sample.region_texts = []
        sample.region_short_texts = []
        sample.region_negatives = []
    losses = model(**model.data_preprocessor(batch), mode='loss')
    assert losses['loss_region'].item() == 0
    assert losses['loss_hard_negative'].item() == 0
    model.parse_losses(losses)[0].backward()


def test_predict_and_tensor_modes(data_root):
    model = build_model().eval()
    data = model.data_preprocessor(batch_of(data_root, 'val'))
    with torch.no_grad():
        samples = model(**data, mode='predict')
    for sample in samples:
        assert sample.image_embedding.shape == (32, )
        assert sample.long_text_embedding.norm().item() == pytest.approx(1)
        assert sample.region_scores.shape == (len(sample.region_texts), 11)
    with pytest.raises(ValueError, match="'logits'"):
        model(**data, mode='logits')


def test_train_step_runs_and_changes_the_weights(data_root):
    model = build_model(**STAGE2_HEADS)
    optim = OptimWrapper(torch.optim.AdamW(model.parameters(), lr=1e-3))
    before = model.clip.logit_scale_hardneg.item()
    batch = batch_of(data_root)
    for _ in range(3):
        log_vars = model.train_step(batch, optim)
        assert torch.isfinite(log_vars['loss'])
    assert model.clip.logit_scale_hardneg.item() != before


def test_runner_trains_and_validates_on_synthetic_data(data_root, tmp_path):
    dataset = dict(
        type='FineHARDDataset', data_root=str(data_root),
        pipeline=TINY_PRETRAIN_PIPELINE)
    runner = Runner(
        model=dict(
            type='FGCLIPPretrainer', clip=tiny_fgclip_cfg(), **STAGE2_HEADS),
        work_dir=str(tmp_path),
        train_dataloader=dict(
            dataset=dict(ann_file='finehard/train.json', **dataset),
            sampler=dict(type='DefaultSampler', shuffle=True),
            collate_fn=dict(type='pseudo_collate'),
            batch_size=2,
            num_workers=0),
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=3, val_interval=3),
        optim_wrapper=dict(optimizer=dict(type='AdamW', lr=1e-4)),
        val_dataloader=dict(
            dataset=dict(
                ann_file='finehard/val.json', test_mode=True, **dataset),
            sampler=dict(type='DefaultSampler', shuffle=False),
            collate_fn=dict(type='pseudo_collate'),
            batch_size=2,
            num_workers=0),
        val_cfg=dict(type='ValLoop'),
        val_evaluator=dict(type='FineGrainedRankingMetric'),
        default_hooks=dict(checkpoint=None),
        default_scope='fgclip_det')
    runner.train()
    metrics = runner.val_loop.run()
    assert 0 <= metrics['fg_ranking/hard_negative_top1'] <= 100
    assert 0 <= metrics['fg_ranking/long_i2t_R@1'] <= 100


def test_runner_trains_from_streamed_shards(data_root, tmp_path):
    shards = write_finehard_shards(
        str(data_root / 'finehard/train.json'),
        str(tmp_path / 'shards'),
        img_root=str(data_root),
        samples_per_shard=2)['shards']
    runner = Runner(
        model=dict(type='FGCLIPPretrainer', clip=tiny_fgclip_cfg()),
        work_dir=str(tmp_path / 'work'),
        train_dataloader=dict(
            dataset=dict(
                type='FineHARDWebDataset', shards=shards,
                pipeline=TINY_PRETRAIN_PIPELINE),
            sampler=None,
            collate_fn=dict(type='pseudo_collate'),
            batch_size=2,
            num_workers=0),
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=3),
        optim_wrapper=dict(optimizer=dict(type='AdamW', lr=1e-4)),
        default_hooks=dict(checkpoint=None),
        default_scope='fgclip_det')
    runner.train()
    assert runner.iter == 3
