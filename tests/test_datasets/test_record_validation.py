"""FineHARD records are checked against one schema, in files and in shards.

Wrong types raise errors naming file, record (or line) and field; unusable
values are skipped, counted and summarised; a file that is wrong as a whole
raises with its likely cause.
"""
import json
import re
from pathlib import Path

import numpy as np
import pytest
import webdataset as wds
from PIL import Image

from fgclip_det.datasets import FineHARDDataset, FineHARDWebDataset
from fgclip_det.datasets import skip_summary as skip_summary_module
from fgclip_det.datasets.record_schema import RecordError
from fgclip_det.datasets.transforms import LoadCLIPImage
from fgclip_det.datasets.transforms.load_clip_image import UnsupportedImageError
from fgclip_det.datasets.webdataset_shards import write_finehard_shards

NEGATIVES = [f'a blue cup {i}' for i in range(10)]


def region(box=(0.1, 0.1, 0.5, 0.5), negatives=NEGATIVES, **changes):
    return {'bbox': list(box), 'short_expr': 'a red cup',
            'long_expr': 'a red cup on a table', 'flag_short_neg': True,
            'short_expr_negs': negatives, **changes}


def record(name='a.png', regions=None, **changes):
    return {'img_path': name, 'caption': f'long caption of {name}',
            'short_caption': f'short caption of {name}',
            'bbox_info': [region()] if regions is None else regions,
            **changes}


def write_jsonl(path: Path, *lines) -> Path:
    path.write_text(''.join(
        (line if isinstance(line, str) else json.dumps(line)) + '\n'
        for line in lines))
    return path


@pytest.fixture
def logs(monkeypatch):
    calls = []
    monkeypatch.setattr(skip_summary_module, 'print_log',
                        lambda msg, **kwargs: calls.append((msg, kwargs)))
    return calls


def build(ann_file: Path, **kwargs) -> FineHARDDataset:
    return FineHARDDataset(ann_file=str(ann_file), **kwargs)


# -------------------------------------------------- 1. types and counts
def test_negatives_given_as_a_string_are_an_error(tmp_path):
    path = write_jsonl(tmp_path / 'train.jsonl', record(),
                       record(regions=[region(negatives='a blue cup')]))
    with pytest.raises(RecordError) as info:
        build(path)
    message = str(info.value)
    assert message.startswith(f'{path}:2: ')
    assert "field 'bbox_info[0].short_expr_negs'" in message
    assert "got 'a blue cup' (str)" in message


def test_null_caption_is_skipped_and_counted_never_the_text_none(
        tmp_path, logs):
    path = write_jsonl(tmp_path / 'train.jsonl', record('a.png'),
                       record('b.png', caption=None))
    dataset = build(path)
    assert len(dataset) == 1
    assert dataset.get_data_info(0)['long_caption'] == 'long caption of a.png'
    assert dataset.skips.reasons('record') == [
        ('caption or short_caption null or blank', 1)]
    with pytest.raises(RecordError, match=r":1: field 'caption': expected a "
                       r'string, got 3 \(int\)'):
        build(write_jsonl(tmp_path / 'int.jsonl', record(caption=3)))


def test_wrong_number_of_negatives_drops_them_and_is_counted(tmp_path, logs):
    path = write_jsonl(
        tmp_path / 'train.jsonl',
        record(regions=[region(negatives=NEGATIVES[:9]), region()]),
        record(regions=[region(negatives={str(i): n for i, n in
                                          enumerate(NEGATIVES)})]))
    dataset = build(path)
    first = dataset.get_data_info(0)
    assert first['region_texts'] == ['a red cup', 'a red cup']
    assert first['region_negatives'] == [[], NEGATIVES]
    assert first['has_negatives'].tolist() == [False, True]
    assert dataset.get_data_info(1)['region_negatives'] == [NEGATIVES]
    assert dataset.skips.reasons('negatives') == [
        ('9 negatives, expected 10', 1)]
    assert '1 region(s) lost their hard negatives (9 negatives, expected 10' \
        in logs[-1][0]
    assert build(path, num_negatives=None).get_data_info(0)[
        'region_negatives'][0] == NEGATIVES[:9]


@pytest.mark.parametrize('changes, field, expected', [
    (dict(bbox='0 0 1 1'), 'bbox', '4 numbers'),
    (dict(bbox=[0, 0, 1]), 'bbox', '4 numbers'),
    (dict(flag_short_neg='false'), 'flag_short_neg', 'true, false, 0 or 1'),
    (dict(short_expr=5), 'short_expr', 'a string'),
    (dict(short_expr_negs=NEGATIVES[:9] + [7]), 'short_expr_negs',
     'strings only'),
    (dict(short_expr_negs={'first': 'x'}), 'short_expr_negs',
     'integer keys'),
])
def test_wrong_region_types_are_errors(tmp_path, changes, field, expected):
    path = write_jsonl(tmp_path / 'train.jsonl',
                       record(regions=[region(), region(**changes)]))
    with pytest.raises(RecordError, match=expected) as info:
        build(path)
    assert info.value.field == f'bbox_info[1].{field}'
    assert str(info.value).startswith(f'{path}:1: ')


# ------------------------------------------- 2. a file of invalid boxes
def test_pixel_boxes_are_an_error_naming_the_file_and_cause(tmp_path):
    pixels = [record(f'{i}.png', regions=[region((12, 30, 200, 310))])
              for i in range(3)]
    path = write_jsonl(tmp_path / 'pixels.jsonl', *pixels)
    with pytest.raises(ValueError, match='look like pixels') as info:
        build(path)
    assert str(path) in str(info.value)
    assert '3 of 3 region boxes are invalid' in str(info.value)
    # Stage 1 reads no region, so the boxes do not matter there.
    assert len(build(path, max_regions=0)) == 3
    with pytest.raises(ValueError, match='look like pixels'):
        write_finehard_shards(str(path), str(tmp_path / 'shards'))
    assert not (tmp_path / 'shards').exists()


def test_xywh_boxes_are_an_error_with_that_hint(tmp_path):
    xywh = [record(regions=[region((0.5, 0.4, 0.2, 0.3))])]
    with pytest.raises(ValueError, match=r'look like \[x, y, width, height\]'):
        build(write_jsonl(tmp_path / 'xywh.jsonl', *xywh))


def test_a_shard_of_pixel_boxes_is_an_error(tmp_path):
    shard = tmp_path / 'old-000000.tar'
    image = tmp_path / 'a.png'
    Image.new('RGB', (8, 8)).save(image)
    with wds.TarWriter(str(shard)) as writer:
        writer.write({'__key__': '000000000', 'png': image.read_bytes(),
                      'json': json.dumps(record(regions=[
                          region((3, 3, 7, 7))])).encode()})
    streamed = FineHARDWebDataset(str(shard), [dict(type='LoadCLIPImage')],
                                  shuffle=False)
    with pytest.raises(ValueError, match='look like pixels') as info:
        list(streamed)
    assert str(shard) in str(info.value)


# ------------------------------------------ 3. where a parse error is
def test_jsonl_errors_name_the_true_line_and_field(tmp_path):
    path = write_jsonl(tmp_path / 'train.jsonl', record(), '', '  ',
                       record(short_caption=['not', 'text']))
    with pytest.raises(RecordError) as info:
        build(path)
    assert str(info.value) == (
        f"{path}:4: field 'short_caption': expected a string, got "
        "['not', 'text'] (list)")
    broken = write_jsonl(tmp_path / 'broken.jsonl', record(), '',
                         '{"img_path": ')
    with pytest.raises(ValueError, match=re.escape(f'{broken}:3: invalid JSON')):
        build(broken)


def test_json_list_errors_name_the_record_index(tmp_path):
    path = tmp_path / 'train.json'
    path.write_text(json.dumps(
        [record(), record(), record(regions=[region(), 'a box'])], indent=2))
    with pytest.raises(RecordError) as info:
        build(path)
    assert str(info.value) == (
        f"{path}: record 2: field 'bbox_info[1]': expected a JSON object, "
        "got 'a box' (str)")
    missing = tmp_path / 'missing.json'
    missing.write_text(json.dumps([{'image': 'a.png'}]))
    with pytest.raises(RecordError, match=r"record 0: field 'img_path': "
                       r"expected a string .*got no such field .*'image'"):
        build(missing)


def test_shard_errors_name_the_shard_and_sample(tmp_path):
    shard = tmp_path / 'old-000000.tar'
    with wds.TarWriter(str(shard)) as writer:
        writer.write({'__key__': 'k7', 'png': b'',
                      'json': json.dumps(record(caption=['x'])).encode()})
    with pytest.raises(RecordError, match=re.escape(
            f"{shard}: sample k7: field 'caption'")):
        list(FineHARDWebDataset(str(shard), shuffle=False))


# --------------------------------------------------- 4. 16-bit images
def test_16_bit_grayscale_png_is_scaled_not_white(tmp_path):
    levels = np.array([[0, 257 * 64], [257 * 128, 65535]], dtype=np.uint16)
    path = tmp_path / 'deep.png'
    Image.fromarray(levels).save(path)
    with Image.open(path) as image:
        assert image.mode.startswith('I')  # really 16 bits on disk
    out = LoadCLIPImage().transform(dict(img_path=str(path)))
    assert out['img'].dtype == np.uint8 and out['img'].shape == (2, 2, 3)
    np.testing.assert_array_equal(out['img'][..., 0], [[0, 64], [128, 255]])
    assert (out['img'][..., 0] == out['img'][..., 2]).all()
    from_bytes = LoadCLIPImage().transform(dict(img_bytes=path.read_bytes()))
    np.testing.assert_array_equal(from_bytes['img'], out['img'])


def test_16_bit_colour_png_from_opencv(tmp_path):
    cv2 = pytest.importorskip('cv2')
    bgr = np.zeros((2, 3, 3), dtype=np.uint16)
    bgr[..., 2] = 65535  # red
    bgr[0, 0] = (257 * 10, 257 * 20, 257 * 30)
    path = tmp_path / 'deep_rgb.png'
    assert cv2.imwrite(str(path), bgr)
    img = LoadCLIPImage().transform(dict(img_path=str(path)))['img']
    assert img[0, 0].tolist() == [30, 20, 10]
    assert (img[1] == [255, 0, 0]).all()


def test_floating_point_images_are_rejected(tmp_path):
    path = tmp_path / 'float.tiff'
    Image.fromarray(np.full((2, 2), 0.5, dtype=np.float32)).save(path)
    with pytest.raises(UnsupportedImageError, match=re.escape(f'{path}: floating')):
        LoadCLIPImage().transform(dict(img_path=str(path)))


# ------------------------------------------------ 5. skip summaries
def test_the_index_summary_is_logged_with_reasons(tmp_path, logs):
    path = write_jsonl(
        tmp_path / 'train.jsonl',
        record('a.png', regions=[region(), region((0.2, 0.2, 0.2, 0.5)),
                                 region((0.1, 0.1, 1.2, 0.5))]),
        record('b.png', short_caption='  '),
        record('c.png'))
    dataset = build(path)
    assert len(dataset) == 2 and dataset.num_dropped_regions == 2
    (message, kwargs), = logs
    assert kwargs['logger'] == 'current'
    assert message == (
        f'{path}: read 3 record(s) with 4 region(s); skipped 1 record(s) '
        '(caption or short_caption null or blank: 1); 2 region(s) (box has '
        'no area (x2 <= x1 or y2 <= y1): 1, box outside [0, 1]: 1)')


def test_a_file_of_unusable_records_is_an_error(tmp_path):
    path = write_jsonl(tmp_path / 'train.jsonl', record(caption=None),
                       record(caption=''))
    with pytest.raises(ValueError, match=re.escape(
            f'{path}: all 2 records are unusable')):
        build(path)
    empty = tmp_path / 'empty.json'
    empty.write_text('[]')
    with pytest.raises(ValueError, match='no FineHARD record'):
        build(empty)


def test_streamed_passes_log_a_summary_each_epoch(tmp_path, logs):
    images = tmp_path / 'images'
    images.mkdir()
    for name in ('a.png', 'b.png', 'c.png'):
        Image.new('RGB', (8, 8)).save(images / name)
    (images / 'c.png').write_bytes(b'not a png')
    path = write_jsonl(
        tmp_path / 'train.jsonl',
        record('a.png', regions=[region(), region((0.5, 0.5, 0.5, 0.9))]),
        record('b.png', caption=None),
        record('c.png', regions=[region(negatives=NEGATIVES[:2])]))
    summary = write_finehard_shards(str(path), str(tmp_path / 'shards'),
                                    img_root=str(images))
    assert summary['num_samples'] == 2 and summary['num_skipped'] == 1
    streamed = FineHARDWebDataset(summary['shards'],
                                  [dict(type='LoadCLIPImage')], shuffle=False)
    for epoch in range(2):
        logs.clear()
        assert len(list(streamed)) == 1
        message, kwargs = logs[-1]
        assert kwargs['logger'] == 'current'
        assert message.startswith(f'epoch {epoch}, 1 of 1 shard(s)')
        assert ('read 2 record(s) with 3 region(s); skipped 1 region(s) '
                '(box has no area') in message
        assert '1 region(s) lost their hard negatives (2 negatives, ' \
            'expected 10: 1)' in message
        assert '1 unreadable image(s) (unreadable: 1)' in message
    assert streamed.num_skipped_images == 2

