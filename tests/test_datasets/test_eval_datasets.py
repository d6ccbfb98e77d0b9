"""Datasets of the CLIP benchmarks: box classification, FG-OVD, retrieval,
zero-shot classification."""
import json
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from fgclip_det.datasets import (
    BoxClassificationDataset,
    FGOVDBenchmarkDataset,
    RetrievalDataset,
    ZeroShotFolderDataset,
    generate_synthetic_dataset,
    load_fgovd_jsonl,
    write_crop_folder,
)
from fgclip_det.datasets.fgovd import FGOVD_FILES

REAL_FGOVD = Path(__file__).resolve().parents[2] / '..' / 'shared' / 'data' / 'fgovd'
#: Records of the real files (their README).
REAL_FGOVD_COUNTS = {
    'h_attributes_llava.jsonl': 3545,
    'm_attributes_llava.jsonl': 2968,
    'e_attributes_llava.jsonl': 1299,
    'shuffle_negatives_llava.jsonl': 3545,
}


def write_json(path: Path, content) -> str:
    path.write_text(json.dumps(content))
    return str(path)


def touch(root: Path, *names: str) -> None:
    """Empty image files (the data sets check that their files exist)."""
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b'')


# ------------------------------------------------------- box classification
def test_box_classification_keeps_and_counts_boxes(tmp_path):
    ann_file = write_json(tmp_path / 'instances.json', dict(
        categories=[dict(id=7, name='zebra'), dict(id=2, name='bow_(weapon)')],
        images=[
            dict(id=1, file_name='a.jpg', width=100, height=80),
            dict(id=2, coco_url='http://x/val2017/b.jpg', width=100, height=80),
            dict(id=3, file_name='c.jpg', width=100, height=80),
        ],
        annotations=[
            dict(id=1, image_id=1, category_id=7, bbox=[10, 20, 30, 40]),
            dict(id=2, image_id=1, category_id=2, bbox=[0, 0, 4, 50]),  # small
            dict(id=3, image_id=2, category_id=2, bbox=[5, 5, 90, 20]),  # large
            dict(id=4, image_id=2, category_id=2, bbox=[5, 5, 20, 20]),
            dict(id=5, image_id=3, category_id=7, bbox=[5, 5, 20, 20],
                 iscrowd=1),
        ]))
    touch(tmp_path / 'images', 'a.jpg', 'val2017/b.jpg')  # c.jpg: not served
    dataset = BoxClassificationDataset(
        ann_file=ann_file, data_prefix=dict(img=str(tmp_path / 'images')),
        min_size=5, max_size=60, test_mode=True)
    assert dataset.metainfo['classes'] == ('bow_(weapon)', 'zebra')
    assert dataset.num_dropped == dict(crowd=1, small=1, large=1)
    assert len(dataset) == 2  # image 3 had only a crowd box
    first, second = dataset.get_data_info(0), dataset.get_data_info(1)
    assert first['img_path'] == str(tmp_path / 'images' / 'a.jpg')
    assert first['instances'] == [
        dict(bbox=[10, 20, 40, 60], bbox_label=1, ignore_flag=0)]
    # LVIS entries name their COCO image by URL
    assert second['img_path'] == str(tmp_path / 'images' / 'val2017' / 'b.jpg')
    assert [i['bbox_label'] for i in second['instances']] == [0]
    with pytest.raises(ValueError, match='max_size'):
        BoxClassificationDataset(ann_file=ann_file, min_size=5, max_size=2)


# ------------------------------------------------------------------- FG-OVD
@pytest.mark.skipif(not REAL_FGOVD.is_dir(),
                    reason='the real FG-OVD files are in ../shared/data/fgovd')
def test_real_fgovd_files():
    counts = {name: len(load_fgovd_jsonl(REAL_FGOVD / name))
              for name in FGOVD_FILES}
    print('FG-OVD records:', counts)
    assert counts == REAL_FGOVD_COUNTS
    dataset = FGOVDBenchmarkDataset(data_root=str(REAL_FGOVD),
                                    data_prefix=dict(img='coco'),
                                    test_mode=True)
    assert len(dataset) == sum(REAL_FGOVD_COUNTS.values())
    assert Counter(dataset.get_data_info(i)['test_type']
                   for i in range(len(dataset))) == {
        FGOVD_FILES[name]: count for name, count in REAL_FGOVD_COUNTS.items()}
    info = dataset.get_data_info(0)
    assert info['img_path'].startswith(str(REAL_FGOVD / 'coco' / 'val2017'))
    assert len(info['texts']) == 11


@pytest.fixture(scope='module')
def synthetic(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp('synthetic')
    generate_synthetic_dataset(root, num_train=1, num_val=3, image_size=64,
                               progress=False)
    return root


def test_fgovd_dataset_on_synthetic_files(synthetic):
    dataset = FGOVDBenchmarkDataset(
        data_root=str(synthetic),
        ann_files=['fgovd/h_attributes_llava.jsonl',
                   'fgovd/shuffle_negatives_llava.jsonl'],
        test_mode=True)
    hard = load_fgovd_jsonl(synthetic / 'fgovd' / 'h_attributes_llava.jsonl')
    assert len(dataset) == 2 * len(hard)
    info = dataset.get_data_info(0)
    x, y, w, h = hard[0].bbox
    assert info['instances'][0]['bbox'] == [x, y, x + w, y + h]
    assert info['texts'] == [hard[0].pos_expression, *hard[0].neg_expressions]
    assert info['test_type'] == '1_attributes'
    assert Path(info['img_path']).is_file()
    with pytest.raises(ValueError, match='ann_files'):
        FGOVDBenchmarkDataset(data_root=str(synthetic), ann_files=[])


# ---------------------------------------------------------------- retrieval
def test_retrieval_formats(tmp_path):
    karpathy = write_json(tmp_path / 'karpathy.json', dict(images=[
        dict(filepath='val2014', filename='a.jpg', split='test',
             sentences=[dict(raw='one'), dict(raw='two')]),
        dict(filepath='val2014', filename='b.jpg', split='train',
             sentences=[dict(raw='three')]),
    ]))
    root = tmp_path / 'root'
    touch(root, 'val2014/a.jpg', 'x.jpg', 'y.jpg', 'p.jpg', 'q.jpg')
    dataset = RetrievalDataset(ann_file=karpathy, ann_format='karpathy',
                               data_prefix=dict(img=str(root)), test_mode=True)
    assert len(dataset) == 1
    assert dataset.get_data_info(0)['img_path'] == str(root / 'val2014/a.jpg')
    assert dataset.get_data_info(0)['captions'] == ['one', 'two']

    coco = write_json(tmp_path / 'captions.json', dict(
        images=[dict(id=5, file_name='x.jpg'), dict(id=6, file_name='y.jpg')],
        annotations=[dict(image_id=6, caption='c1'),
                     dict(image_id=5, caption='c2'),
                     dict(image_id=6, caption='c3')]))
    dataset = RetrievalDataset(ann_file=coco, ann_format='coco',
                               data_prefix=dict(img=str(root)), test_mode=True)
    assert [dataset.get_data_info(i)['captions'] for i in range(2)] == [
        ['c2'], ['c1', 'c3']]

    records = write_json(tmp_path / 'long.json', [
        dict(image='p.jpg', caption='a long caption'),
        dict(image='q.jpg', caption=['first', 'second']),
    ])
    dataset = RetrievalDataset(ann_file=records, ann_format='list',
                               data_prefix=dict(img=str(root)), test_mode=True)
    assert [dataset.get_data_info(i)['captions'] for i in range(2)] == [
        ['a long caption'], ['first', 'second']]
    with pytest.raises(ValueError, match="'csv'"):
        RetrievalDataset(ann_file=records, ann_format='csv')


# ---------------------------------------------------------------- zero-shot
def test_zero_shot_folder(tmp_path):
    for folder, files in (('n02', ['b.png', 'a.jpg', 'notes.txt']),
                          ('n01', ['c.JPEG'])):
        (tmp_path / 'val' / folder).mkdir(parents=True)
        for name in files:
            (tmp_path / 'val' / folder / name).write_bytes(b'')
    names = tmp_path / 'names.txt'
    names.write_text('goldfish\nshark\n')
    dataset = ZeroShotFolderDataset(data_root=str(tmp_path),
                                    data_prefix=dict(img='val'),
                                    class_names=str(names), test_mode=True)
    assert dataset.metainfo['classes'] == ('goldfish', 'shark')
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    assert [(Path(i['img_path']).name, i['gt_label']) for i in infos] == [
        ('c.JPEG', 0), ('a.jpg', 1), ('b.png', 1)]
    plain = ZeroShotFolderDataset(data_root=str(tmp_path),
                                  data_prefix=dict(img='val'), test_mode=True)
    assert plain.metainfo['classes'] == ('n01', 'n02')
    names.write_text('goldfish\n')
    with pytest.raises(ValueError, match='1 class names'):
        ZeroShotFolderDataset(data_root=str(tmp_path),
                              data_prefix=dict(img='val'),
                              class_names=str(names))


def test_crop_folder_from_detection_boxes(synthetic, tmp_path):
    ann_file = synthetic / 'annotations' / 'instances_val.json'
    content = json.loads(ann_file.read_text())
    expected = sum(min(a['bbox'][2:]) >= 8 for a in content['annotations'])
    written = write_crop_folder(str(ann_file), str(synthetic / 'images' / 'val'),
                                str(tmp_path / 'crops'), min_size=8)
    assert written == expected > 0
    dataset = ZeroShotFolderDataset(data_prefix=dict(img=str(tmp_path / 'crops')),
                                    test_mode=True)
    assert len(dataset) == written
    assert sorted(dataset.metainfo['classes']) == sorted(
        c['name'] for c in content['categories'])
    with Image.open(dataset.get_data_info(0)['img_path']) as crop:
        assert crop.mode == 'RGB'
