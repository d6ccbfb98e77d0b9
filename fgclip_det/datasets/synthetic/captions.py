"""Template captions of a scene: region expressions and image captions.

- short expression: ``'a small striped red circle'``
  (:attr:`~.vocabulary.ObjectSpec.expression`);
- long expression: the short one, where the object lies in a 3x3 grid of the
  image and where it lies relative to its nearest neighbour, e.g.
  ``'a small striped red circle in the upper left of the image, left of a
  large solid blue star'``;
- long caption: the number of objects, then the long expression of each
  object as a sentence, in drawing order;
- short caption: the short expressions of all objects in one phrase.
"""
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


def long_caption(scene: Scene) -> str:
    """Every object of the scene with its attributes and position."""
    sentences = [
        as_sentence(f'{_count(len(scene.objects))} on a grey textured '
                    'background')
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
    listed = names[0] if len(names) == 1 else (', '.join(names[:-1]) +
                                               ' and ' + names[-1])
    return f'{_count(len(names))}: {listed}'
