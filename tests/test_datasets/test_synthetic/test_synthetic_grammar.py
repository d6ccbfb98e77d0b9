"""The caption grammar of the synthetic set: levels of detail and negatives."""
import json
from collections import Counter

import numpy as np
import pytest

from fgclip_det.datasets import generate_synthetic_dataset
from fgclip_det.datasets.synthetic import SHAPES, ObjectSpec, changed_attributes
from fgclip_det.datasets.synthetic.captions import sampled_short_caption, shape_counts
from fgclip_det.datasets.synthetic.expressions import (
    FORMS,
    RegionExpression,
    one_change_negatives,
    sample_expression,
)
from fgclip_det.datasets.synthetic.scene import PlacedObject, Scene

RED_STAR = ObjectSpec('star', 'red', 'small', 'striped')


def _scene(*specs: ObjectSpec) -> Scene:
    mask = np.zeros((100, 100), dtype=bool)
    objects = []
    for i, spec in enumerate(specs):
        m = mask.copy()
        m[10:20, 10 + 20 * i:20 + 20 * i] = True
        objects.append(PlacedObject(spec, (15.0 + 20 * i, 15.0), 5.0, m, 100))
    return Scene((100, 100), objects)


def _parse(text: str) -> dict:
    """Attribute values named by an expression of the grammar."""
    values = {'small': 'size', 'large': 'size', 'solid': 'pattern',
              'striped': 'pattern', 'dotted': 'pattern'}
    words = text.split()
    named = {values[w]: w for w in words if w in values}
    colours = [w for w in words if w in ('red', 'orange', 'yellow', 'green',
                                         'blue', 'purple', 'pink', 'brown')]
    named.update({'color': colours[0]} if colours else {})
    assert words[-1] in SHAPES, text
    named['shape'] = words[-1]
    return named


def test_expression_text_at_each_level():
    assert RegionExpression(RED_STAR).text == 'a small striped red star'
    assert RegionExpression(RED_STAR, (), '{}').text == 'star'
    assert RegionExpression(RED_STAR, (), 'a photo of a {}').text == (
        'a photo of a star')
    assert RegionExpression(RED_STAR, ('color', )).text == 'a red star'
    orange = RED_STAR.with_changes(color='orange')
    assert RegionExpression(orange, ('color', )).text == 'an orange star'
    assert RegionExpression(orange, ('color', ), 'a photo of a {}').text == (
        'a photo of an orange star')
    # Word order follows the full expression whatever subset is named.
    assert RegionExpression(RED_STAR, ('color', 'size')).text == (
        'a small red star')
    with pytest.raises(ValueError, match='shape'):
        RegionExpression(RED_STAR, ('shape', ))
    with pytest.raises(ValueError, match='form'):
        RegionExpression(RED_STAR, (), 'the {}')


def test_negatives_change_one_named_attribute_shape_included():
    rng = np.random.default_rng(0)
    expression = RegionExpression(RED_STAR, ('color', ))
    negatives = one_change_negatives(expression, rng, num=10)
    assert len({n.text for n in negatives}) == 10
    changed = Counter()
    for negative in negatives:
        names = changed_attributes(RED_STAR, negative.spec)
        assert len(names) == 1 and names[0] in ('shape', 'color')
        assert negative.named == expression.named
        changed[names[0]] += 1
    assert changed['shape'] and changed['color']  # 7 + 7 candidates
    # Full expressions: 7 shapes + 7 colours + 1 size + 2 patterns.
    drawn = Counter()
    for seed in range(20):
        for negative in one_change_negatives(
                RegionExpression(RED_STAR), np.random.default_rng(seed)):
            drawn[changed_attributes(RED_STAR, negative.spec)[0]] += 1
    assert set(drawn) == {'shape', 'color', 'size', 'pattern'}


def test_negatives_never_describe_another_object():
    red_circle = ObjectSpec('circle', 'red', 'large', 'solid')
    expression = RegionExpression(RED_STAR, ('color', ))
    for seed in range(20):
        negatives = one_change_negatives(
            expression, np.random.default_rng(seed), others=[red_circle])
        # 'a red circle' would describe the large solid red circle.
        assert 'a red circle' not in {n.text for n in negatives}
        assert len(negatives) == 10


def test_too_few_negatives_give_none():
    bare = RegionExpression(RED_STAR, (), '{}')  # only 7 other shapes
    assert one_change_negatives(bare, np.random.default_rng(0)) == []
    assert len(one_change_negatives(bare, np.random.default_rng(0),
                                    num=7)) == 7


def test_sampled_expression_refers_to_one_object():
    sibling = RED_STAR.with_changes(size='large')
    specs = [RED_STAR, sibling]
    for seed in range(200):
        expression = sample_expression(RED_STAR, np.random.default_rng(seed),
                                       specs)
        assert sum(map(expression.matches, specs)) == 1
        assert expression.form in FORMS
    levels = Counter(
        sample_expression(RED_STAR, np.random.default_rng(seed),
                          [RED_STAR]).named for seed in range(400))
    assert levels[()] > 50 and levels[('size', 'pattern', 'color')] > 100


def test_shape_counts_and_sampled_captions():
    scene = _scene(RED_STAR, RED_STAR.with_changes(color='blue'),
                   ObjectSpec('cross', 'green', 'large', 'solid'))
    assert shape_counts(scene) == 'two stars and a cross'
    captions = {sampled_short_caption(scene, np.random.default_rng(seed))
                for seed in range(50)}
    assert 'two stars and a cross' in captions
    assert any(' left of ' in c or ' right of ' in c for c in captions)
    assert any(c.startswith('three shapes: ') for c in captions)


def test_records_train_levels_and_val_full(tmp_path):
    generate_synthetic_dataset(tmp_path, num_train=30, num_val=4,
                               image_size=96, progress=False)
    train = json.loads((tmp_path / 'finehard/train.json').read_text())
    levels = Counter()
    for record in train:
        for region in record['bbox_info']:
            named = _parse(region['short_expr'])
            levels[len(named)] += 1
            negatives = region.get('short_expr_negs', {})
            assert region['flag_short_neg'] is bool(negatives)
            if len(named) == 1:  # a bare category name: too few negatives
                assert not negatives
            for text in negatives.values():
                changed = {k for k, v in _parse(text).items()
                           if named[k] != v}
                assert len(changed) == 1 and set(_parse(text)) == set(named)
        assert _counts_shapes(record['caption'])
    assert levels[1] and levels[4]
    val = json.loads((tmp_path / 'finehard/val.json').read_text())
    for record in val:
        for region in record['bbox_info']:
            assert len(_parse(region['short_expr'])) == 4
            assert len(region['short_expr_negs']) == 10


def _counts_shapes(caption: str) -> bool:
    """The long caption's first sentence counts the shapes."""
    first = caption.split('.')[0]
    return ': ' in first and any(shape in first for shape in SHAPES)
