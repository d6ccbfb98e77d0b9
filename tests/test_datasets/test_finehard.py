"""FineHARD from annotation files and from WebDataset shards."""
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate
from PIL import Image
from torch.utils.data import DataLoader

from fgclip_det.datasets import FineHARDDataset, FineHARDWebDataset, ResizeToSquare
from fgclip_det.datasets import skip_summary as skip_summary_module
from fgclip_det.datasets.webdataset_shards import write_finehard_shards

REPO = Path(__file__).resolve().parents[2]
SIZE = 32
PIPELINE = [
    dict(type='LoadCLIPImage'),
    dict(type='ResizeToSquare', size=SIZE),
    dict(type='PackCLIPInputs'),
]
NEGATIVES = {str(i): f'a red shape {i}' for i in (3, 0, 9, 1, 2, 4, 5, 6, 7, 8)}
LIST_NEGATIVES = [f'n{i}' for i in range(10)]


def region(box, name, negatives=None):
    return {
        'bbox': box,
        'short_expr': f'a {name}',
        'long_expr': f'a {name} in the scene',
        'flag_short_neg': negatives is not None,
        'short_expr_negs': negatives or {},
    }


def write_image(path: Path, size=(40, 20), seed=0):
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path)


@pytest.fixture
def finehard(tmp_path):
    """Five records in the FineHARD layout and their images."""
    images = tmp_path / 'images'
    images.mkdir()
    write_image(images / 'a.jpg', seed=0)
    write_image(images / 'b.png', size=(24, 48), seed=1)
    (images / 'corrupt.jpg').write_bytes(b'\xff\xd8 not really a jpeg')
    write_image(images / 'plain.png', seed=2)
    records = [
        {
            'img_path': 'a.jpg',
            'caption': 'long caption a',
            'short_caption': 'short a',
            'bbox_info': [
                region([0.1, 0.1, math.nan, 0.5], 'nan'),
                region([0.1, 0.1, 1.5, 0.5], 'outside'),
                region([0.3, 0.1, 0.3, 0.5], 'degenerate'),
                region([0.0, 0.0, 0.5, 0.5], 'first', NEGATIVES),
                region([0.5, 0.5, 1.0, 1.0], 'second'),
                region([0.25, 0.0, 0.75, 1.0005], 'third', NEGATIVES),
                region([0.1, 0.2, 0.3, 0.4], 'fourth'),
                region([0.2, 0.2, 0.4, 0.4], 'fifth', NEGATIVES),
            ],
        },
        {
            'img_path': 'b.png',
            'caption': 'long caption b',
            'short_caption': 'short b',
            'bbox_info': [
                region([0.0, 0.5, 1.0, 1.0], 'only', LIST_NEGATIVES),
            ],
        },
        {
            'img_path': 'missing.jpg',
            'caption': 'long caption missing',
            'short_caption': 'short missing',
            'bbox_info': [],
        },
        {
            'img_path': 'corrupt.jpg',
            'caption': 'long caption corrupt',
            'short_caption': 'short corrupt',
            'bbox_info': [region([0.0, 0.0, 1.0, 1.0], 'whole')],
        },
        {
            'img_path': 'plain.png',
            'caption': 'long caption plain',
            'short_caption': 'short plain',
        },
    ]
    ann_list = tmp_path / 'train.json'
    ann_list.write_text(json.dumps(records, indent=2))
    ann_lines = tmp_path / 'train.jsonl'
    ann_lines.write_text('\n'.join(json.dumps(r) for r in records) + '\n')
    return dict(root=tmp_path, images=images, records=records,
                ann_list=ann_list, ann_lines=ann_lines)


@pytest.fixture
def logs(monkeypatch):
    messages = []
    monkeypatch.setattr(skip_summary_module, 'print_log',
                        lambda msg, **kwargs: messages.append(msg))
    return messages


def build(finehard, ann='ann_list', **kwargs):
    return FineHARDDataset(
        ann_file=finehard[ann].name,
        data_root=str(finehard['root']),
        data_prefix=dict(img_path='images'),
        pipeline=PIPELINE,
        **kwargs)


def test_index_validates_boxes_and_logs_the_count_once(finehard, logs):
    dataset = build(finehard)
    assert len(dataset) == 5
    assert dataset.num_dropped_regions == 3
    assert len(logs) == 1
    assert logs[0].startswith(str(finehard['ann_list']))
    assert 'read 5 record(s) with 10 region(s); skipped 3 region(s)' in logs[0]

    first = dataset.get_data_info(0)
    assert first['img_path'] == str(finehard['images'] / 'a.jpg')
    assert first['region_texts'] == ['a first', 'a second', 'a third',
                                     'a fourth']
    np.testing.assert_allclose(
        first['norm_region_boxes'],
        [[0, 0, .5, .5], [.5, .5, 1, 1], [.25, 0, .75, 1], [.1, .2, .3, .4]])
    assert first['has_negatives'].tolist() == [True, False, True, False]
    assert first['region_negatives'][0] == [
        f'a red shape {i}' for i in range(10)]
    assert first['region_negatives'][1] == []

    assert dataset.get_data_info(1)['region_negatives'] == [LIST_NEGATIVES]
    plain = dataset.get_data_info(4)
    assert plain['norm_region_boxes'].shape == (0, 4)
    assert plain['region_texts'] == [] and plain['has_negatives'].shape == (0,)


def test_json_lines_and_json_list_give_the_same_index(finehard):
    as_list, as_lines = build(finehard), build(finehard, ann='ann_lines')
    for i in range(len(as_list)):
        a, b = as_list.get_data_info(i), as_lines.get_data_info(i)
        assert a['img_path'] == b['img_path']
        assert a['region_texts'] == b['region_texts']
        np.testing.assert_array_equal(a['norm_region_boxes'],
                                      b['norm_region_boxes'])


def test_max_regions(finehard):
    dataset = build(finehard, max_regions=2)
    assert dataset.get_data_info(0)['region_texts'] == ['a first', 'a second']
    with pytest.raises(ValueError, match='-1'):
        build(finehard, max_regions=-1)


def test_unreadable_images_are_skipped_and_counted(finehard, logs):
    dataset = build(finehard)
    samples = [dataset[i] for i in range(len(dataset))]
    assert dataset.num_skipped_images >= 2
    assert any('missing.jpg' in m for m in logs)
    assert any('unreadable image' in m for m in logs)
    for sample in samples:
        assert sample['inputs'].shape == (3, SIZE, SIZE)
        assert sample['inputs'].dtype == torch.uint8
        assert 'corrupt' not in sample['data_samples'].img_path
    batch = next(iter(DataLoader(dataset, batch_size=5,
                                 collate_fn=pseudo_collate)))
    assert len(batch['inputs']) == len(batch['data_samples']) == 5


def test_packed_sample_layout(finehard):
    dataset = build(finehard, test_mode=True)
    packed = dataset[0]
    sample = packed['data_samples']
    assert sample.long_caption == 'long caption a'
    assert sample.short_caption == 'short a'
    assert sample.img_shape == (SIZE, SIZE) and sample.ori_shape == (20, 40)
    torch.testing.assert_close(
        sample.region_boxes,
        torch.tensor([[0, 0, .5, .5], [.5, .5, 1, 1], [.25, 0, .75, 1],
                      [.1, .2, .3, .4]]) * SIZE)
    assert sample.region_texts[0] == 'a first'
    assert sample.has_negatives.dtype == torch.bool
    assert len(sample.region_negatives) == 4
    assert len(sample.region_negatives[0]) == 10
    assert dataset.prepare_data(2) is None  # the missing image


def test_resize_to_square_pad_keeps_the_aspect_ratio():
    img = np.full((20, 40, 3), 200, dtype=np.uint8)
    boxes = np.array([[0, 0, 40, 20], [10, 5, 20, 10]], dtype=np.float32)
    out = ResizeToSquare(SIZE, mode='pad', pad_value=7).transform(
        dict(img=img, region_boxes=boxes))
    assert out['img'].shape == (SIZE, SIZE, 3)
    assert out['scale_factor'] == (0.8, 0.8)
    np.testing.assert_allclose(out['region_boxes'],
                               [[0, 0, 32, 16], [8, 4, 16, 8]])
    assert (out['img'][16:] == 7).all() and (out['img'][:16] == 200).all()
    with pytest.raises(ValueError, match="'crop'"):
        ResizeToSquare(SIZE, mode='crop')


def test_synthetic_finehard_split_loads(tmp_path):
    from fgclip_det.datasets import generate_synthetic_dataset
    generate_synthetic_dataset(
        tmp_path, num_train=3, num_val=3, image_size=64, progress=False)
    for split in ('train', 'val'):
        dataset = FineHARDDataset(
            ann_file=f'finehard/{split}.json',
            data_root=str(tmp_path),
            pipeline=PIPELINE,
            test_mode=True)
        assert len(dataset) == 3 and dataset.num_dropped_regions == 0
        for i in range(len(dataset)):
            sample = dataset[i]['data_samples']
            assert 0 < len(sample.region_texts) <= 4
            # every val region has ten negatives; a training region named
            # too coarsely for ten (a bare shape name) has none
            if split == 'val':
                assert sample.has_negatives.all()
            assert [len(n) for n in sample.region_negatives] == [
                10 if has else 0 for has in sample.has_negatives.tolist()]


def shards_of(finehard, out_dir, **kwargs):
    return write_finehard_shards(
        str(finehard['ann_list']), str(out_dir),
        img_root=str(finehard['images']), samples_per_shard=2, **kwargs)


def assert_same_sample(a, b):
    torch.testing.assert_close(a['inputs'], b['inputs'])
    sa, sb = a['data_samples'], b['data_samples']
    for key in ('long_caption', 'short_caption', 'region_texts',
                'region_negatives'):
        assert getattr(sa, key) == getattr(sb, key)
    torch.testing.assert_close(sa.region_boxes, sb.region_boxes)
    torch.testing.assert_close(sa.has_negatives, sb.has_negatives)


def test_shards_roundtrip_to_the_same_samples(finehard, tmp_path):
    summary = shards_of(finehard, tmp_path / 'shards')
    # missing.jpg is left out; corrupt.jpg is packed and skipped on reading.
    assert summary['num_samples'] == 4 and summary['num_missing'] == 1
    assert [Path(s).name for s in summary['shards']] == [
        'finehard-000000.tar', 'finehard-000001.tar']

    streamed = FineHARDWebDataset(
        str(tmp_path / 'shards' / 'finehard-{000000..000001}.tar'),
        PIPELINE,
        shuffle=False)
    samples = list(streamed)
    assert streamed.num_skipped_images == 1
    assert streamed.num_dropped_regions == 3
    reference = build(finehard, test_mode=True)
    assert len(samples) == 3
    for sample, index in zip(samples, (0, 1, 4)):
        assert_same_sample(sample, reference[index])
    assert streamed.epoch == 1  # a completed pass advances the shard order
    assert len(streamed) == 4  # samples in the shards, unreadable included
    assert len(FineHARDWebDataset(streamed.shards, num_samples=10)) == 10


def test_shards_split_over_workers_and_ranks(finehard, tmp_path, monkeypatch):
    shards_of(finehard, tmp_path / 'shards')
    pattern = str(tmp_path / 'shards' / '*.tar')
    streamed = FineHARDWebDataset(pattern, PIPELINE, shuffle=True, seed=3)
    loader = DataLoader(
        streamed, batch_size=None, num_workers=2, collate_fn=lambda x: x)
    captions = sorted(s['data_samples'].short_caption for s in loader)
    assert captions == ['short a', 'short b', 'short plain']

    from fgclip_det.datasets import finehard_web_dataset
    per_rank = []
    for rank in range(2):
        monkeypatch.setattr(finehard_web_dataset, 'get_dist_info',
                            lambda rank=rank: (rank, 2))
        per_rank.append(streamed.process_shards())
    assert sorted(per_rank[0] + per_rank[1]) == streamed.shards
    assert len(per_rank[0]) == len(per_rank[1]) == 1

    monkeypatch.setattr(finehard_web_dataset, 'get_dist_info', lambda: (0, 1))
    orders = set()
    for epoch in range(6):
        streamed.set_epoch(epoch)
        orders.add(tuple(streamed.process_shards()))
    assert len(orders) == 2  # the shard order changes with the epoch


def test_pack_shards_command(finehard, tmp_path):
    out = tmp_path / 'cli'
    proc = subprocess.run(
        [
            sys.executable, str(REPO / 'tools/data/pack_finehard_shards.py'),
            str(finehard['ann_lines']), str(out), '--img-root',
            str(finehard['images']), '--samples-per-shard', '3'
        ],
        capture_output=True,
        text=True,
        cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert 'wrote 4 samples in 2 shards' in proc.stdout
    # the progress bar over the records
    assert f"packing {finehard['ann_lines'].name}" in proc.stderr
    assert '5/5' in proc.stderr  # one of the 5 records has no image
    assert sorted(p.name for p in out.iterdir()) == [
        'finehard-000000.tar', 'finehard-000001.tar']


# The region captions of the public stage-2 dataset
# (fgclip/train/train_fgclip.py, LazySupervisedBboxDataset.__getitem__):
# random.choice([bbox_data["short_expr"], bbox_data["long_expr"]]) per box,
# the hard negatives paired with short_expr.
FIRST_SHORT = ['a first', 'a second', 'a third', 'a fourth']
FIRST_LONG = [f'{t} in the scene' for t in FIRST_SHORT]


def test_long_expressions_follow_the_regions_kept(finehard):
    # Three invalid regions come first in the record: the long expressions
    # must stay aligned with the regions the parser kept.
    dataset = build(finehard, long_region_caption_prob=0.5)
    assert dataset.get_data_info(0)['region_long_texts'] == FIRST_LONG
    assert dataset.get_data_info(1)['region_long_texts'] == [
        'a only in the scene']
    assert dataset.get_data_info(4)['region_long_texts'] == []
    assert 'region_long_texts' not in build(finehard).get_data_info(0)


def test_region_captions_are_short_or_long_half_and_half(finehard):
    dataset = build(finehard, long_region_caption_prob=0.5)
    np.random.seed(0)
    draws = [dataset.choose_region_captions(dataset.get_data_info(0))
             for _ in range(400)]
    for info in draws:
        assert info['region_short_texts'] == FIRST_SHORT
        assert all(t in (s, s + ' in the scene')
                   for t, s in zip(info['region_texts'], FIRST_SHORT))
    is_long = np.array([[t.endswith('in the scene') for t in info['region_texts']]
                        for info in draws])
    # 1600 fair draws: 0.5 +- 0.05 is more than 4 standard deviations.
    assert abs(is_long.mean() - 0.5) < 0.05
    assert 0.4 < is_long.mean(0).min() and is_long.mean(0).max() < 0.6
    # Drawn per region, not once per image.
    assert (is_long.any(1) & ~is_long.all(1)).mean() > 0.5


def test_region_caption_draws_repeat_under_the_seed(finehard):
    dataset = build(finehard, long_region_caption_prob=0.5)

    def captions(seed):
        np.random.seed(seed)
        return [dataset.choose_region_captions(
            dataset.get_data_info(0))['region_texts'] for _ in range(20)]

    assert captions(1) == captions(1)
    assert captions(1) != captions(2)


def test_region_caption_probability_ends(finehard):
    always_long = build(finehard, long_region_caption_prob=1.0)
    sample = always_long[0]['data_samples']
    assert sample.region_texts == FIRST_LONG
    # The hard negatives keep pairing with the short expression.
    assert sample.region_short_texts == FIRST_SHORT
    assert sample.region_negatives[0] == [f'a red shape {i}' for i in range(10)]
    never = build(finehard)[0]['data_samples']
    assert never.region_texts == never.region_short_texts == FIRST_SHORT
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match=str(bad)):
            build(finehard, long_region_caption_prob=bad)


def test_a_region_without_long_expression_keeps_its_short_one(tmp_path):
    write_image(tmp_path / 'a.png')
    regions = [region([0, 0, .5, .5], 'kept'), region([0, 0, 1, 1], 'blank'),
               region([.5, .5, 1, 1], 'absent')]
    regions[1]['long_expr'] = '  '
    del regions[2]['long_expr']
    ann = tmp_path / 'ann.json'
    ann.write_text(json.dumps([dict(img_path='a.png', caption='c',
                                    short_caption='s', bbox_info=regions)]))
    dataset = FineHARDDataset(ann_file=str(ann), data_root=str(tmp_path),
                              pipeline=PIPELINE, long_region_caption_prob=1.0)
    assert dataset[0]['data_samples'].region_texts == [
        'a kept in the scene', 'a blank', 'a absent']


def test_region_captions_repeat_through_seeded_dataloader_workers(finehard):
    from mmengine.runner import Runner

    def epoch_captions(seed):
        loader = Runner.build_dataloader(
            dict(dataset=build(finehard, long_region_caption_prob=0.5),
                 sampler=dict(type='DefaultSampler', shuffle=False),
                 batch_size=5, num_workers=1,
                 collate_fn=dict(type='pseudo_collate')),
            seed=seed)
        return [s.region_texts for batch in loader
                for s in batch['data_samples']]

    assert epoch_captions(3) == epoch_captions(3)
    assert epoch_captions(3) != epoch_captions(4)
