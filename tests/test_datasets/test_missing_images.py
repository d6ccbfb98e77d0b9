"""Data sets check at build time that every image file they name exists."""
import json
import os
from pathlib import Path

import pytest

from fgclip_det.datasets import (
    BoxClassificationDataset,
    MissingImageFilesError,
    OVCocoDataset,
    OVLVISDataset,
    RetrievalDataset,
    ZeroShotFolderDataset,
    generate_synthetic_dataset,
)
from fgclip_det.registry import DATASETS

NUM_IMAGES = 8


def write_coco(root: Path, num_images: int = NUM_IMAGES,
               lvis: bool = False) -> Path:
    """A COCO (or LVIS v1) json of ``num_images`` images under
    ``root/val2017``, one box each except the last (no box), and the files
    themselves."""
    (root / 'val2017').mkdir(parents=True, exist_ok=True)
    images, annotations = [], []
    for index in range(1, num_images + 1):
        name = f'{index:012d}.jpg'
        (root / 'val2017' / name).write_bytes(b'jpeg')
        image = dict(id=index, width=64, height=48)
        if lvis:
            image.update(coco_url=f'http://images.cocodataset.org/val2017/'
                         f'{name}', neg_category_ids=[],
                         not_exhaustive_category_ids=[])
        else:
            image.update(file_name=name)
        images.append(image)
        if index < num_images:
            annotations.append(dict(
                id=index, image_id=index, category_id=1, bbox=[4, 4, 40, 30],
                area=1200, iscrowd=0,
                segmentation=[[4, 4, 44, 4, 44, 34, 4, 34]]))
    category = dict(id=1, name='person')
    if lvis:
        category.update(frequency='f', synonyms=['person'])
    ann_file = root / 'annotations' / ('lvis.json' if lvis else 'coco.json')
    ann_file.parent.mkdir(exist_ok=True)
    ann_file.write_text(json.dumps(dict(images=images, annotations=annotations,
                                        categories=[category])))
    return ann_file


def remove(root: Path, *indices: int) -> list:
    paths = [str(root / 'val2017' / f'{i:012d}.jpg') for i in indices]
    for path in paths:
        os.remove(path)
    return paths


def ov_coco(root: Path, **kwargs) -> OVCocoDataset:
    return OVCocoDataset(data_root=str(root), ann_file='annotations/coco.json',
                         data_prefix=dict(img='val2017/'),
                         metainfo=dict(classes=('person', )), pipeline=[],
                         **kwargs)


# ------------------------------------------------------------ OV-COCO
def test_complete_data_sets_build(tmp_path):
    write_coco(tmp_path)
    assert len(ov_coco(tmp_path, test_mode=True)) == NUM_IMAGES
    assert len(ov_coco(tmp_path, filter_cfg=dict(filter_empty_gt=True))) == (
        NUM_IMAGES - 1)


@pytest.mark.parametrize('serialize_data', [True, False])
def test_missing_val_images_are_named_at_build(tmp_path, serialize_data):
    ann_file = write_coco(tmp_path)
    missing = remove(tmp_path, 2, 5, 6)
    with pytest.raises(MissingImageFilesError) as info:
        ov_coco(tmp_path, test_mode=True, serialize_data=serialize_data)
    message = str(info.value)
    assert message.startswith(f'OVCocoDataset (ann_file {str(ann_file)!r}): '
                              f'3 of {NUM_IMAGES} image files are missing')
    assert f'the first: {", ".join(missing)}.' in message
    assert (f'COCO 2017 images are needed under {tmp_path / "val2017"}; '
            'see README "Data preparation"') in message
    assert info.value.missing == missing
    assert info.value.num_images == NUM_IMAGES
    assert isinstance(info.value, FileNotFoundError)


def test_the_error_shows_the_first_five_paths(tmp_path):
    write_coco(tmp_path)
    missing = remove(tmp_path, *range(1, NUM_IMAGES + 1))
    with pytest.raises(MissingImageFilesError, match=f'{NUM_IMAGES} of '
                       f'{NUM_IMAGES} image files') as info:
        ov_coco(tmp_path, test_mode=True)
    message = str(info.value)
    assert all(path in message for path in missing[:5])
    assert not any(path in message for path in missing[5:])


def test_training_sets_check_the_images_they_serve(tmp_path):
    write_coco(tmp_path)
    # the last image has no box: filter_empty_gt drops it, so its file is
    # not needed
    remove(tmp_path, NUM_IMAGES)
    train = ov_coco(tmp_path, filter_cfg=dict(filter_empty_gt=True))
    assert len(train) == NUM_IMAGES - 1
    # neither are the files outside `indices`
    missing = remove(tmp_path, 1)
    assert len(ov_coco(tmp_path, filter_cfg=dict(filter_empty_gt=True),
                       indices=[1, 2])) == 2
    with pytest.raises(MissingImageFilesError, match='1 of 7 image files') as info:
        ov_coco(tmp_path, filter_cfg=dict(filter_empty_gt=True))
    assert info.value.missing == missing


def test_lazy_init_checks_at_first_access_and_keeps_failing(tmp_path):
    write_coco(tmp_path)
    remove(tmp_path, 3)
    dataset = ov_coco(tmp_path, test_mode=True, lazy_init=True)
    for _ in range(2):
        with pytest.raises(MissingImageFilesError, match='1 of 8'):
            len(dataset)


def test_the_configs_use_the_checked_data_sets():
    from mmengine.config import Config

    from fgclip_det.utils import get_config_path

    for name, expected in (
            ('_base_/datasets/ov_coco_detection.py', 'OVCocoDataset'),
            ('_base_/datasets/ov_lvis_instance.py', 'OVLVISDataset')):
        cfg = Config.fromfile(get_config_path(name))
        for loader in ('val_dataloader', 'test_dataloader'):
            assert cfg[loader].dataset.type == expected
        train = cfg.train_dataloader.dataset
        assert train.get('dataset', train).type == expected
        assert DATASETS.get(expected) is not None


def test_synthetic_detection_files_pass(tmp_path):
    generate_synthetic_dataset(tmp_path, num_train=2, num_val=2, image_size=64,
                               progress=False)
    classes = tuple(c['name'] for c in json.loads(
        (tmp_path / 'annotations/instances_val.json').read_text())['categories'])
    for split in ('train', 'val'):
        dataset = OVCocoDataset(
            data_root=str(tmp_path), ann_file=f'annotations/instances_{split}.json',
            data_prefix=dict(img=f'images/{split}/'),
            metainfo=dict(classes=classes), pipeline=[], test_mode=True)
        assert len(dataset) == 2


# ------------------------------------------------------------ OV-LVIS
def test_lvis_names_its_missing_coco_images(tmp_path):
    pytest.importorskip('lvis')
    ann_file = write_coco(tmp_path, lvis=True)
    kwargs = dict(data_root=str(tmp_path), ann_file='annotations/lvis.json',
                  data_prefix=dict(img=''), pipeline=[], test_mode=True)
    assert len(OVLVISDataset(**kwargs)) == NUM_IMAGES
    missing = remove(tmp_path, 4)
    with pytest.raises(MissingImageFilesError) as info:
        OVLVISDataset(**kwargs)
    message = str(info.value)
    assert message.startswith(f'OVLVISDataset (ann_file {str(ann_file)!r}): '
                              f'1 of {NUM_IMAGES} image files are missing, '
                              f'the first: {missing[0]}.')
    assert 'LVIS v1 reads the COCO 2017 images' in message
    assert str(tmp_path / 'val2017') in message


# ------------------------------------------------------------ CLIP evaluation
def test_box_classification_names_missing_images(tmp_path):
    ann_file = write_coco(tmp_path)
    missing = remove(tmp_path, 1)
    with pytest.raises(MissingImageFilesError) as info:
        BoxClassificationDataset(ann_file=str(ann_file),
                                 data_prefix=dict(img=str(tmp_path / 'val2017')),
                                 test_mode=True)
    message = str(info.value)
    # the box-less last image is not served, so 7 images are checked
    assert message.startswith(f'BoxClassificationDataset (ann_file '
                              f'{str(ann_file)!r}): 1 of 7 image files')
    assert missing[0] in message and 'docs/evaluation.md' in message


def test_retrieval_names_missing_images(tmp_path):
    (tmp_path / 'a.jpg').write_bytes(b'jpeg')
    ann_file = tmp_path / 'long.json'
    ann_file.write_text(json.dumps([dict(image='a.jpg', caption='one'),
                                    dict(image='b.jpg', caption='two')]))
    with pytest.raises(MissingImageFilesError,
                       match=r'RetrievalDataset .*1 of 2 image files are '
                       r'missing, the first: .*b\.jpg\. The images of the '
                       'retrieval set') as info:
        RetrievalDataset(ann_file=str(ann_file), ann_format='list',
                         data_prefix=dict(img=str(tmp_path)), test_mode=True)
    assert info.value.missing == [str(tmp_path / 'b.jpg')]


def test_zero_shot_folder_names_broken_links(tmp_path):
    (tmp_path / 'val' / 'n01').mkdir(parents=True)
    (tmp_path / 'val' / 'n01' / 'a.jpg').write_bytes(b'jpeg')
    os.symlink(tmp_path / 'gone.jpg', tmp_path / 'val' / 'n01' / 'b.jpg')
    with pytest.raises(MissingImageFilesError,
                       match=r'ZeroShotFolderDataset: 1 of 2 image files .*'
                       r'b\.jpg.*broken links'):
        ZeroShotFolderDataset(data_prefix=dict(img=str(tmp_path / 'val')),
                              test_mode=True)


def test_remote_paths_are_not_checked(tmp_path):
    ann_file = tmp_path / 'long.json'
    ann_file.write_text(json.dumps([dict(image='a.jpg', caption='one')]))
    dataset = RetrievalDataset(ann_file=str(ann_file), ann_format='list',
                               data_prefix=dict(img='s3://bucket/images'),
                               test_mode=True)
    assert dataset.get_data_info(0)['img_path'] == 's3://bucket/images/a.jpg'
