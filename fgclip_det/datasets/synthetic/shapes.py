"""Outlines of the eight shapes and their pixel masks.

Shapes are drawn upright (never rotated, so a square stays distinct from a
diamond), centred on a point and fitted inside a circle of the given radius.
"""
import math

import numpy as np
from PIL import Image, ImageDraw

from .vocabulary import SHAPES

Point = tuple[float, float]

_CURVE_POINTS = 64  # vertices of the circle and heart outlines


def _regular(num: int, radius: float, start_deg: float) -> list[Point]:
    step = 2 * math.pi / num
    start = math.radians(start_deg)
    return [(radius * math.cos(start + i * step),
             radius * math.sin(start + i * step)) for i in range(num)]


def _star() -> list[Point]:
    outer = _regular(5, 1.0, -90)
    inner = _regular(5, 0.45, -54)
    return [p for pair in zip(outer, inner) for p in pair]


def _cross() -> list[Point]:
    a, b = 0.33, 0.95  # arm half-width, arm length
    return [(-a, -b), (a, -b), (a, -a), (b, -a), (b, a), (a, a), (a, b),
            (-a, b), (-a, a), (-b, a), (-b, -a), (-a, -a)]


def _heart() -> list[Point]:
    points = []
    for i in range(_CURVE_POINTS):
        t = 2 * math.pi * i / _CURVE_POINTS
        x = 16 * math.sin(t)**3
        y = -(13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) -
              math.cos(4 * t))
        # The curve spans x in [-16, 16], y in [-12, 17]: centre and scale.
        points.append((x / 17, (y - 2.5) / 17))
    return points


# Unit outlines (radius 1, y pointing down).
_UNIT_OUTLINES: dict[str, list[Point]] = {
    'circle': _regular(_CURVE_POINTS, 1.0, 0),
    'square': [(-0.8, -0.8), (0.8, -0.8), (0.8, 0.8), (-0.8, 0.8)],
    'triangle': [(x, y + 0.25) for x, y in _regular(3, 1.0, -90)],
    'star': _star(),
    'hexagon': _regular(6, 1.0, 0),
    'diamond': [(0.0, -1.0), (0.65, 0.0), (0.0, 1.0), (-0.65, 0.0)],
    'cross': _cross(),
    'heart': _heart(),
}

def shape_outline(shape: str, center: Point, radius: float) -> list[Point]:
    """The polygon of a shape in pixel coordinates.

    Args:
        shape (str): One of :data:`~.vocabulary.SHAPES`.
        center (tuple[float, float]): Centre ``(x, y)`` in pixels.
        radius (float): Radius of the circle the shape fits in, in pixels.

    Returns:
        list[tuple[float, float]]: The polygon's vertices.
    """
    if shape not in _UNIT_OUTLINES:
        raise ValueError(f'shape must be one of {SHAPES}, got {shape!r}')
    cx, cy = center
    return [(cx + radius * x, cy + radius * y)
            for x, y in _UNIT_OUTLINES[shape]]


def shape_mask(shape: str, center: Point, radius: float,
               image_size: tuple[int, int]) -> np.ndarray:
    """Rasterise a shape.

    Args:
        shape (str): One of :data:`~.vocabulary.SHAPES`.
        center (tuple[float, float]): Centre ``(x, y)`` in pixels.
        radius (float): Radius of the circle the shape fits in, in pixels.
        image_size (tuple[int, int]): ``(width, height)`` of the image.

    Returns:
        np.ndarray: A bool mask of shape ``(height, width)``.
    """
    canvas = Image.new('1', image_size, 0)
    ImageDraw.Draw(canvas).polygon(
        shape_outline(shape, center, radius), fill=1)
    return np.array(canvas, dtype=bool)
