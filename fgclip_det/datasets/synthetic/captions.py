"""Template captions of a scene: region expressions and image captions.

- short expression: ``'a small striped red circle'``
  (:attr:`~.vocabulary.ObjectSpec.expression`);
- long expression: the short one, where the object lies in a 3x3 grid of the
  image and where it lies relative to its nearest neighbour, e.g.
  ``'a small striped red circle in the upper left of the image, left of a
  large solid blue star'``;
- long caption: the number of objects and of each shape, then the long
  expression of each object as a sentence, in drawing order;
- short caption: the short expressions of all objects in one phrase
  (:func:`short_caption`, the validation and retrieval form); a training
  image instead gets one of several levels of detail
  (:func:`sampled_short_caption`): its shapes counted, its objects named at
  a sampled level of detail, or two of them and their relation.
"""
from collections import Counter

import numpy as np

from .expressions import sample_expression
from .scene import PlacedObject, Scene
from .vocabulary import NUMBER_WORDS

# Cells of a 3x3 grid, indexed [row][column].
GRID_REGIONS = (('upper left', 'top', 'upper right'),
                ('left', 'center', 'right'),
                ('lower left', 'bottom', 'lower right'))


def as_sentence(text: str) -> str:
    """Capitalise the first letter and end with a full stop."""
    return text[0].upper() + text[1:] + '.'


def _center(obj: PlacedObject) -> tuple[float, float]:
    x1, y1, x2, y2 = obj.bbox
    return (x1 + x2) / 2, (y1 + y2) / 2


def grid_region(obj: PlacedObject, image_size: tuple[int, int]) -> str:
    """The cell of a 3x3 grid that holds the centre of the object's box."""
    x, y = _center(obj)
    width, height = image_size
    return GRID_REGIONS[min(int(3 * y / height), 2)][min(
        int(3 * x / width), 2)]


def _relation(obj: PlacedObject, other: PlacedObject) -> str:
    """``'left of'``, ``'right of'``, ``'above'`` or ``'below'`` ``other``."""
    (x, y), (ox, oy) = _center(obj), _center(other)
    if abs(ox - x) >= abs(oy - y):
        return 'left of' if x < ox else 'right of'
    return 'above' if y < oy else 'below'


def _nearest(scene: Scene, index: int) -> PlacedObject | None:
    x, y = _center(scene.objects[index])
    others = [(((ox - x)**2 + (oy - y)**2), i)
              for i, (ox, oy) in enumerate(map(_center, scene.objects))
              if i != index]
    return scene.objects[min(others)[1]] if others else None


def long_expression(scene: Scene, index: int) -> str:
    """The long expression of one object of a scene.

    Args:
        scene (Scene): The scene.
        index (int): Index of the object in ``scene.objects``.

    Returns:
        str: E.g. ``'a small striped red circle in the upper left of the
        image, left of a large solid blue star'``.
    """
    obj = scene.objects[index]
    text = (f'{obj.spec.expression} in the '
            f'{grid_region(obj, scene.image_size)} of the image')
    neighbour = _nearest(scene, index)
    if neighbour is not None:
        text += f', {_relation(obj, neighbour)} {neighbour.spec.expression}'
    return text


def _count(num: int) -> str:
    return f"{NUMBER_WORDS[num]} shape{'' if num == 1 else 's'}"


def _listed(phrases: list[str]) -> str:
    """``'a, b and c'``."""
    if len(phrases) == 1:
        return phrases[0]
    return ', '.join(phrases[:-1]) + ' and ' + phrases[-1]


def _plural(noun: str) -> str:
    return noun + ('es' if noun.endswith(('s', 'x')) else 's')


def shape_counts(scene: Scene) -> str:
    """How many of each shape, in order of first appearance, e.g. ``'two
    stars and a circle'``."""
    counts = Counter(spec.shape for spec in scene.specs)
    return _listed([f'a {shape}' if num == 1 else
                    f'{NUMBER_WORDS[num]} {_plural(shape)}'
                    for shape, num in counts.items()])


def long_caption(scene: Scene) -> str:
    """Every object of the scene with its attributes and position."""
    sentences = [
        as_sentence(f'{_count(len(scene.objects))} on a grey textured '
                    f'background: {shape_counts(scene)}')
    ]
    sentences += [
        as_sentence(long_expression(scene, i))
        for i in range(len(scene.objects))
    ]
    return ' '.join(sentences)


def short_caption(scene: Scene) -> str:
    """The short expressions of all objects, e.g. ``'two shapes: a small
    solid red circle and a large dotted blue star'``."""
    names = [spec.expression for spec in scene.specs]
    return f'{_count(len(names))}: {_listed(names)}'


def sampled_short_caption(scene: Scene, rng: np.random.Generator) -> str:
    """A training image's short caption at a random level of detail.

    One of, with equal probability: :func:`short_caption`; the shapes
    counted (``'two stars and a circle'``); every object by a sampled
    expression (``'a star, a large red circle and a triangle'``); with two
    or more objects, the first and its nearest neighbour
    (``'a red star left of a blue circle'``).
    """
    kinds = 4 if len(scene.objects) > 1 else 3
    kind = int(rng.integers(kinds))
    if kind == 0:
        return short_caption(scene)
    if kind == 1:
        return shape_counts(scene)
    if kind == 2:
        return _listed([sample_expression(spec, rng, scene.specs).text
                        for spec in scene.specs])
    first, neighbour = scene.objects[0], _nearest(scene, 0)
    return (f'{first.spec.expression} {_relation(first, neighbour)} '
            f'{neighbour.spec.expression}')
