"""``merged``, ``with_pipeline``, ``tower_at_size``: config values derived
from other config values, merged as MMEngine merges a config into its base."""
import copy

import pytest
from mmengine.config import Config, ConfigDict

from fgclip_det.utils.derived_config import (
    flexible_runner,
    merged,
    tower_at_size,
    with_pipeline,
)

RECIPE_MODEL = dict(
    data_preprocessor=dict(
        pad_size_divisor=32,
        batch_augments=[dict(type='BatchFixedSizePad', size=(640, 640))]),
    backbone=dict(clip=dict(type='FGCLIP', model_name='ViT-B-16'), out_indices=[3, 5]),
    roi_head=dict(bbox_head=dict(num_classes=65), clip_beta=0.8))
PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResize', scale=(640, 640), ratio_range=(0.1, 2.0)),
    dict(type='RandomCrop', crop_size=(640, 640)),
    dict(type='PackDetInputs'),
]


def test_merged_merges_nested_dicts_key_by_key_and_replaces_other_values():
    base = dict(a=dict(b=1, c=dict(d=2, e=3)), f=[1, 2], g=4)
    result = merged(base, dict(a=dict(c=dict(e=30)), f=[9]), dict(g=40, h=5))
    assert result == dict(a=dict(b=1, c=dict(d=2, e=30)), f=[9], g=40, h=5)


def test_merged_leaves_its_arguments_as_they_were():
    base, update = dict(a=dict(b=1)), dict(a=dict(c=2))
    before = copy.deepcopy((base, update))
    merged(base, update)
    assert (base, update) == before


def test_merged_equals_mmengine_merging_a_leaf_into_its_base(tmp_path):
    """The same model whether the changes are merged by ``merged`` inside one
    config or by MMEngine from a leaf into its base."""
    update = dict(backbone=dict(out_indices=[6, 10]),
                  roi_head=dict(bbox_head=dict(loss_weight=2.0), clip_beta=0.4))
    (tmp_path / 'base.py').write_text(f'model = {RECIPE_MODEL!r}\n')
    (tmp_path / 'leaf.py').write_text(f"_base_ = './base.py'\nmodel = {update!r}\n")
    by_mmengine = Config.fromfile(tmp_path / 'leaf.py').model.to_dict()
    assert merged(RECIPE_MODEL, update) == by_mmengine


def test_a_delete_in_an_update_replaces_and_is_kept_for_mmengine(tmp_path):
    clip = dict(_delete_=True, type='FGCLIP2', arch='base')
    result = merged(RECIPE_MODEL, dict(backbone=dict(clip=clip)))
    assert result['backbone']['clip'] == clip  # no model_name of the base
    # MMEngine applies the kept _delete_ when the result meets the base again
    (tmp_path / 'base.py').write_text(f'model = {RECIPE_MODEL!r}\n')
    (tmp_path / 'leaf.py').write_text(f"_base_ = './base.py'\nmodel = {result!r}\n")
    built = Config.fromfile(tmp_path / 'leaf.py').model.backbone.clip
    assert built.to_dict() == dict(type='FGCLIP2', arch='base')


def test_merged_takes_config_dicts():
    result = merged(ConfigDict(RECIPE_MODEL), ConfigDict(roi_head=dict(clip_beta=0.1)))
    assert result['roi_head']['clip_beta'] == 0.1
    assert result['roi_head']['bbox_head'] == dict(num_classes=65)


def test_with_pipeline_puts_the_pipeline_in_every_loader_and_only_there():
    train = dict(batch_size=16, dataset=dict(ann_file='train.json', pipeline=[]))
    val = dict(batch_size=8, dataset=dict(ann_file='val.json'))
    new_train, new_val = with_pipeline(PIPELINE, train, val)
    assert new_train == dict(batch_size=16,
                             dataset=dict(ann_file='train.json', pipeline=PIPELINE))
    assert new_val == dict(batch_size=8, dataset=dict(ann_file='val.json',
                                                      pipeline=PIPELINE))
    assert train['dataset']['pipeline'] == [] and 'pipeline' not in val['dataset']


def test_with_pipeline_names_the_loader_without_a_dataset():
    with pytest.raises(KeyError, match=r'loader 1 has no "dataset".*batch_size'):
        with_pipeline(PIPELINE, dict(dataset=dict()), dict(batch_size=2))


def test_tower_at_size_resizes_padding_and_pipelines_and_merges_the_tower():
    tower = dict(data_preprocessor=dict(pad_size_divisor=28),
                 backbone=dict(out_indices=[6, 10]))
    model, train, test = tower_at_size(
        tower, (896, 896), RECIPE_MODEL, (PIPELINE, PIPELINE[:2]),
        dict(roi_head=dict(clip_beta=0.4)))
    assert model == dict(
        data_preprocessor=dict(
            pad_size_divisor=28,
            batch_augments=[dict(type='BatchFixedSizePad', size=(896, 896))]),
        backbone=dict(out_indices=[6, 10]),
        roi_head=dict(clip_beta=0.4))
    assert train[1]['scale'] == train[2]['crop_size'] == (896, 896)
    assert len(test) == 2 and test[1]['scale'] == (896, 896)
    assert PIPELINE[1]['scale'] == (640, 640)  # the recipe's pipeline as it was


def test_tower_at_size_needs_the_recipes_batch_augments():
    recipe = dict(data_preprocessor=dict(pad_size_divisor=32))
    with pytest.raises(KeyError, match='no data_preprocessor.batch_augments'):
        tower_at_size(dict(), (896, 896), recipe, (PIPELINE, ))


def test_flexible_runner_keeps_the_recipes_optimiser_in_the_strategys_wrapper():
    recipe = dict(
        flexible_optim_wrapper='DeepSpeedOptimWrapper',
        optim_wrapper=dict(type='AmpOptimWrapper', dtype='bfloat16',
                           optimizer=dict(type='AdamW', lr=1e-6),
                           paramwise_cfg=dict(bias_decay_mult=0.0)))
    runner_type, wrapper = flexible_runner(recipe)
    assert runner_type == 'FlexibleRunner'
    assert wrapper == dict(_delete_=True, type='DeepSpeedOptimWrapper',
                           optimizer=dict(type='AdamW', lr=1e-6),
                           paramwise_cfg=dict(bias_decay_mult=0.0))


def test_flexible_runner_names_what_the_base_config_lacks():
    with pytest.raises(KeyError, match=r"no \['flexible_optim_wrapper'\]"):
        flexible_runner(dict(optim_wrapper=dict(optimizer=dict())))
