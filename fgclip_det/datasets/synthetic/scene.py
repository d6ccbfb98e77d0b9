"""Sampling a scene: which objects an image holds and where they lie.

Objects are placed one after another, each drawn above the previous ones. A
position is accepted only if no earlier object then has more than
``max_occlusion`` of its pixels hidden, so objects may touch or overlap a
little but every object stays recognisable. Half of the objects (by default)
are *siblings* of an earlier one: the same shape with exactly one of colour,
size or pattern changed, the case fine-grained understanding is about.

A *close-up* (a fraction of the images, ``closeup_prob``) shows one large
object filling most of the image, as many web photos show one thing: with
the whole image to see it, a tiny vision tower learns what each shape looks
like from the global captions long before it can tell small shapes apart.
"""
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .shapes import Point, shape_mask
from .vocabulary import ATTRIBUTE_VALUES, COLORS, PATTERNS, SHAPES, SIZES, ObjectSpec

# Radius range of each size, as a fraction of the shorter image side.
SIZE_RADIUS = {'small': (0.10, 0.13), 'large': (0.19, 0.24)}
#: Radius range of the object of a close-up.
CLOSEUP_RADIUS = (0.30, 0.44)
# Attributes a sibling may change: the shape (the category) is kept.
SIBLING_ATTRIBUTES = ('color', 'size', 'pattern')
_PLACEMENT_TRIES = 100


@dataclass
class PlacedObject:
    """One object of a scene.

    Args:
        spec (ObjectSpec): Its attributes.
        center (tuple[float, float]): Centre ``(x, y)`` in pixels.
        radius (float): Radius of the circle the shape fits in, in pixels.
        mask (np.ndarray): Its visible pixels, bool ``(height, width)``.
        full_area (int): Its pixel count before any occlusion.
    """

    spec: ObjectSpec
    center: Point
    radius: float
    mask: np.ndarray
    full_area: int

    @property
    def bbox(self) -> tuple[int, int, int, int]:
        """Tight box ``(x1, y1, x2, y2)`` around the visible pixels, in
        pixels, ``x2`` and ``y2`` exclusive."""
        ys = np.flatnonzero(self.mask.any(axis=1))
        xs = np.flatnonzero(self.mask.any(axis=0))
        return int(xs[0]), int(ys[0]), int(xs[-1]) + 1, int(ys[-1]) + 1

    @property
    def area(self) -> int:
        """Number of visible pixels."""
        return int(self.mask.sum())


@dataclass
class Scene:
    """The objects of one image, in drawing order (later ones on top).

    Args:
        image_size (tuple[int, int]): ``(width, height)``.
        objects (list[PlacedObject]): The objects.
    """

    image_size: tuple[int, int]
    objects: list[PlacedObject]

    @property
    def specs(self) -> list[ObjectSpec]:
        """The attributes of every object."""
        return [obj.spec for obj in self.objects]


def _choice(rng: np.random.Generator, options: Sequence[str]) -> str:
    return options[int(rng.integers(len(options)))]


def _random_spec(rng: np.random.Generator,
                 shapes: Sequence[str]) -> ObjectSpec:
    return ObjectSpec(
        shape=_choice(rng, shapes),
        color=_choice(rng, tuple(COLORS)),
        size=_choice(rng, SIZES),
        pattern=_choice(rng, PATTERNS))


def _sibling(rng: np.random.Generator, spec: ObjectSpec) -> ObjectSpec:
    name = _choice(rng, SIBLING_ATTRIBUTES)
    current = getattr(spec, name)
    values = [v for v in ATTRIBUTE_VALUES[name] if v != current]
    return spec.with_changes(**{name: _choice(rng, values)})


def sample_specs(rng: np.random.Generator, num: int, *,
                 first_shapes: Sequence[str],
                 sibling_prob: float) -> list[ObjectSpec]:
    """Sample ``num`` distinct object specs.

    Args:
        rng (np.random.Generator): Random source.
        num (int): Number of specs.
        first_shapes (Sequence[str]): Shapes the first object is drawn from
            (the base shapes for a training image, so that it has a box);
            the others take any shape.
        sibling_prob (float): Probability that an object is a sibling of an
            earlier one (same shape, one other attribute changed).

    Returns:
        list[ObjectSpec]: Distinct specs.
    """
    specs = [_random_spec(rng, first_shapes)]
    while len(specs) < num:
        if rng.random() < sibling_prob:
            spec = _sibling(rng, specs[int(rng.integers(len(specs)))])
        else:
            spec = _random_spec(rng, SHAPES)
        if spec not in specs:
            specs.append(spec)
    return specs


def _try_place(rng: np.random.Generator, spec: ObjectSpec,
               placed: list[PlacedObject], image_size: tuple[int, int],
               max_occlusion: float,
               radius_range: tuple[float, float] | None = None
               ) -> PlacedObject | None:
    width, height = image_size
    low, high = radius_range or SIZE_RADIUS[spec.size]
    radius = float(rng.uniform(low, high)) * min(width, height)
    for _ in range(_PLACEMENT_TRIES):
        center = (float(rng.uniform(radius + 1, width - radius - 1)),
                  float(rng.uniform(radius + 1, height - radius - 1)))
        mask = shape_mask(spec.shape, center, radius, image_size)
        if all(obj.full_area - (obj.mask & ~mask).sum() <= max_occlusion *
               obj.full_area for obj in placed):
            return PlacedObject(spec, center, radius, mask, int(mask.sum()))
    return None


def sample_scene(rng: np.random.Generator,
                 image_size: tuple[int, int],
                 *,
                 first_shapes: Sequence[str] = SHAPES,
                 max_objects: int = 4,
                 max_occlusion: float = 0.15,
                 sibling_prob: float = 0.5,
                 closeup_prob: float = 0.0) -> Scene:
    """Sample the objects of one image and place them.

    Args:
        rng (np.random.Generator): Random source.
        image_size (tuple[int, int]): ``(width, height)``.
        first_shapes (Sequence[str]): Shapes of the first object, which is
            always placed; the others take any shape. Defaults to
            :data:`~.vocabulary.SHAPES`.
        max_objects (int): At most this many objects (at least one).
            Defaults to 4.
        max_occlusion (float): Largest hidden fraction of any object.
            Defaults to 0.15.
        sibling_prob (float): See :func:`sample_specs`. Defaults to 0.5.
        closeup_prob (float): Probability of a close-up: one large object
            of any shape (``first_shapes`` does not apply), of radius
            :data:`CLOSEUP_RADIUS` (fractions of the shorter side).
            Defaults to 0.

    Returns:
        Scene: The placed objects. An object that finds no free position is
        left out, so a crowded scene may hold fewer than sampled.
    """
    if closeup_prob and rng.random() < closeup_prob:
        # Any shape: a close-up of a novel shape has no detection box, but
        # its captions name it.
        spec = _random_spec(rng, SHAPES).with_changes(size='large')
        obj = _try_place(rng, spec, [], image_size, max_occlusion,
                         CLOSEUP_RADIUS)
        return Scene(image_size, [obj])
    num = int(rng.integers(1, max_objects + 1))
    specs = sample_specs(
        rng,
        num,
        first_shapes=first_shapes,
        sibling_prob=sibling_prob)
    placed: list[PlacedObject] = []
    for spec in specs:
        obj = _try_place(rng, spec, placed, image_size, max_occlusion)
        if obj is None:
            continue
        for other in placed:
            other.mask &= ~obj.mask
        placed.append(obj)
    return Scene(image_size, placed)
