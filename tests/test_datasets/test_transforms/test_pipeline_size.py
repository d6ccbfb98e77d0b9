"""``at_size``: a pipeline or batch-augment list at another input size."""
import pytest
from mmengine.config import Config

from fgclip_det.datasets.transforms import at_size

PIPELINE = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomResize', scale=(640, 640), ratio_range=(0.1, 2.0)),
    dict(type='RandomCrop', crop_size=(640, 640)),
    dict(type='PackDetInputs'),
]


def test_every_size_field_gets_the_new_size_and_nothing_else_changes():
    resized = at_size(PIPELINE, (896, 896))
    assert [t['type'] for t in resized] == [t['type'] for t in PIPELINE]
    assert resized[2] == dict(PIPELINE[2], scale=(896, 896))
    assert resized[3] == dict(PIPELINE[3], crop_size=(896, 896))
    assert resized[0] == PIPELINE[0] and resized[1] == PIPELINE[1]
    # copies: the base pipeline is left as it was
    assert PIPELINE[2]['scale'] == (640, 640)
    assert all(new is not old for new, old in zip(resized, PIPELINE))


def test_with_mask_is_set_only_in_load_annotations_and_only_when_given():
    masked = at_size(PIPELINE, (1024, 1024), with_mask=True)
    assert masked[1] == dict(type='LoadAnnotations', with_bbox=True, with_mask=True)
    assert 'with_mask' not in masked[2]
    assert 'with_mask' not in at_size(PIPELINE, (1024, 1024))[1]


def test_square_sizes_and_batch_augments():
    assert at_size([dict(type='ResizeToSquare', size=224)], 128) == [
        dict(type='ResizeToSquare', size=128)]
    augments = [dict(type='BatchFixedSizePad', size=(640, 640), pad_mask=True)]
    assert at_size(augments, (896, 896)) == [
        dict(type='BatchFixedSizePad', size=(896, 896), pad_mask=True)]


def test_config_dicts_from_a_base_are_read():
    cfg = Config(dict(pipeline=PIPELINE))
    resized = at_size(cfg.pipeline, (320, 320))
    assert resized[3]['crop_size'] == (320, 320)
    assert resized[3]['type'] == 'RandomCrop'


def test_a_call_that_would_change_nothing_is_an_error():
    no_size = [dict(type='LoadImageFromFile'), dict(type='PackDetInputs')]
    with pytest.raises(ValueError, match='has a size field.*crop_size'):
        at_size(no_size, (640, 640))
    augments = [dict(type='BatchFixedSizePad', size=(640, 640))]
    with pytest.raises(ValueError, match='with_mask=True.*no LoadAnnotations'):
        at_size(augments, (896, 896), with_mask=True)
