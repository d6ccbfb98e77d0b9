"""Drawing a scene: a grey textured background and the patterned objects.

The background stays nearly colourless (channels within a few levels of one
another), so an object's colour is never confused with it. Every pixel of an
object is painted either in its colour or, for the stripes and dots, in a
darker shade of it: no background shows through an object.
"""
import numpy as np
from PIL import Image

from .scene import PlacedObject, Scene
from .vocabulary import COLORS

PATTERN_SHADE = 0.4  # stripes and dots: the colour scaled by this factor
_BLOTCH_CELL = 16  # pixels per cell of the low-frequency background noise


def pattern_color(color: str) -> tuple[int, int, int]:
    """The darker shade of a colour used for its stripes and dots."""
    return tuple(round(c * PATTERN_SHADE) for c in COLORS[color])


def render_background(rng: np.random.Generator,
                      image_size: tuple[int, int]) -> np.ndarray:
    """A grey background with soft blotches and fine grain.

    Args:
        rng (np.random.Generator): Random source.
        image_size (tuple[int, int]): ``(width, height)``.

    Returns:
        np.ndarray: uint8 image of shape ``(height, width, 3)``.
    """
    width, height = image_size
    grey = rng.uniform(95, 190)
    tint = rng.uniform(-8, 8, size=3)
    cells = rng.uniform(-25, 25, size=(height // _BLOTCH_CELL + 2,
                                       width // _BLOTCH_CELL + 2))
    blotches = np.asarray(
        Image.fromarray(cells.astype(np.float32)).resize(
            image_size, Image.Resampling.BILINEAR))
    grain = rng.normal(0, 6, size=(height, width))
    level = (grey + blotches + grain)[..., None] + tint
    return np.clip(np.rint(level), 0, 255).astype(np.uint8)


def _pattern_mask(obj: PlacedObject, xs: np.ndarray,
                  ys: np.ndarray) -> np.ndarray | None:
    """Pixels painted in the darker shade; ``None`` for a solid fill."""
    pattern = obj.spec.pattern
    if pattern == 'solid':
        return None
    period = max(4, round(obj.radius * 0.5))
    dx, dy = xs - obj.center[0], ys - obj.center[1]
    if pattern == 'striped':
        return np.mod(dx + dy, period) < period / 2
    # dotted: a square grid of dots, a dot radius of 0.3 periods
    ox = np.mod(dx, period) - period / 2
    oy = np.mod(dy, period) - period / 2
    return ox**2 + oy**2 <= (0.3 * period)**2


def paint_scene(background: np.ndarray, scene: Scene) -> np.ndarray:
    """Paint the visible pixels of every object onto a background.

    Args:
        background (np.ndarray): uint8 ``(height, width, 3)``.
        scene (Scene): The objects.

    Returns:
        np.ndarray: A new uint8 image of the same shape.
    """
    image = background.copy()
    height, width = image.shape[:2]
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
    for obj in scene.objects:
        fill = np.empty_like(image)
        fill[...] = COLORS[obj.spec.color]
        shaded = _pattern_mask(obj, xs, ys)
        if shaded is not None:
            fill[shaded] = pattern_color(obj.spec.color)
        image[obj.mask] = fill[obj.mask]
    return image
