"""Load an RGB image from a file or from bytes, with its regions in pixels."""
import io
from typing import Optional

import numpy as np
from mmcv.transforms import BaseTransform
from PIL import Image

from fgclip_det.registry import TRANSFORMS

#: What decoding a missing, truncated or corrupt image raises.
UNREADABLE_IMAGE_ERRORS = (OSError, ValueError, SyntaxError,
                           Image.DecompressionBombError)
#: Pillow modes of one-channel 16-bit images (16-bit PNG, TIFF); older
#: Pillow opens 16-bit PNGs as 32-bit ``'I'``.
SIXTEEN_BIT_MODES = ('I;16', 'I;16L', 'I;16B', 'I;16N', 'I')


class UnsupportedImageError(ValueError):
    """A readable image whose pixel format has no faithful 8-bit RGB form."""


def to_rgb_uint8(image: Image.Image, source: str) -> np.ndarray:
    """Convert a decoded image to ``(H, W, 3)`` uint8 RGB.

    Pillow's own conversion clips 16-bit values to 255 (a white image);
    here they are scaled to 8 bits (``round(v * 255 / 65535)``).

    Args:
        image (PIL.Image.Image): The image.
        source (str): Its file or shard sample, for errors.

    Returns:
        np.ndarray: The RGB pixels.

    Raises:
        UnsupportedImageError: For a mode without a faithful 8-bit form:
            floating point (``'F'``) or 32-bit integers outside [0, 65535].
    """
    if image.mode not in SIXTEEN_BIT_MODES:
        if image.mode == 'F':
            raise UnsupportedImageError(
                f"{source}: floating-point images (mode 'F') are not "
                'supported; save it as 8 or 16 bits per channel')
        return np.asarray(image.convert('RGB'))
    pixels = np.asarray(image).astype(np.int64)
    if pixels.size and (pixels.min() < 0 or pixels.max() > 65535):
        raise UnsupportedImageError(
            f'{source}: image mode {image.mode!r} holds values in '
            f'[{pixels.min()}, {pixels.max()}], outside the 16-bit range '
            '[0, 65535]; save it as 8 or 16 bits per channel')
    gray = ((pixels * 255 + 32767) // 65535).astype(np.uint8)
    return np.repeat(gray[..., None], 3, axis=-1)


@TRANSFORMS.register_module()
class LoadCLIPImage(BaseTransform):
    """Decode the image of a pretraining sample as RGB ``uint8``.

    The image comes from ``img_bytes`` when the sample has them (streamed
    shards) and from the file ``img_path`` otherwise. A missing or corrupt
    image makes the transform return None, which the datasets count and
    replace by another sample. One-channel 16-bit images are scaled to 8
    bits (see :func:`to_rgb_uint8`); floating-point images raise an
    :class:`UnsupportedImageError` (a ValueError) naming the image.
    Normalised region boxes (``norm_region_boxes``) are converted to pixels
    of the decoded image.

    Required keys: ``img_path`` or ``img_bytes``; optional
    ``norm_region_boxes``.

    Added keys: ``img`` (``(H, W, 3)`` uint8 RGB), ``img_shape``,
    ``ori_shape`` (``(H, W)``), ``region_boxes`` (float32
    ``(num_regions, 4)`` pixel xyxy, when ``norm_region_boxes`` is given).
    """

    def transform(self, results: dict) -> Optional[dict]:
        """Load the image; return None when it cannot be read."""
        if results.get('img_bytes') is not None:
            source = io.BytesIO(results['img_bytes'])
            name = f"the image bytes of {results.get('img_path', 'a sample')}"
        else:
            source = name = results['img_path']
        try:
            with Image.open(source) as image:
                img = to_rgb_uint8(image, name)
        except UnsupportedImageError:
            raise
        except UNREADABLE_IMAGE_ERRORS:
            return None
        height, width = img.shape[:2]
        results['img'] = img
        results['img_shape'] = results['ori_shape'] = (height, width)
        if 'norm_region_boxes' in results:
            scale = np.array([width, height, width, height], dtype=np.float32)
            results['region_boxes'] = results['norm_region_boxes'] * scale
        return results
