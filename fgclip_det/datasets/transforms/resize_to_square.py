"""Resize an image to a square CLIP input, rescaling its region boxes."""
from typing import Literal, Optional

import numpy as np
from mmcv.transforms import BaseTransform
from PIL import Image

from fgclip_det.registry import TRANSFORMS

from .resize_with_boxes import resize_with_boxes

RESIZE_MODES = ('stretch', 'pad')


@TRANSFORMS.register_module()
class ResizeToSquare(BaseTransform):
    """Resize to ``size x size`` with bicubic interpolation.

    ``'stretch'`` resizes both sides to ``size`` ignoring the aspect ratio,
    as FG-CLIP's pretraining does; ``'pad'`` scales the longer side to
    ``size`` and pads the bottom and right with ``pad_value``.

    Required keys: ``img``; optional ``region_boxes`` (pixel xyxy).

    Modified keys: ``img``, ``img_shape``, ``region_boxes``.

    Added keys: ``scale_factor`` (``(w_scale, h_scale)``).

    Args:
        size (int): Output side in pixels.
        mode (str): ``'stretch'`` or ``'pad'``. Defaults to ``'stretch'``.
        pad_value (int): Fill of the padding in ``'pad'`` mode. Defaults
            to 0.
        min_side (int, optional): Resize only images with a side shorter
            than this and leave the others as they are. FG-CLIP 2's NaFlex
            training stretches images with a side under 128 px to
            ``box_image_size`` squared (``fgclip2/train/train_fgclip2.py``,
            ``LazySupervisedBboxDataset.__getitem__``) before its processor
            resizes them. Defaults to None (resize every image).
    """

    def __init__(self,
                 size: int,
                 mode: Literal['stretch', 'pad'] = 'stretch',
                 pad_value: int = 0,
                 min_side: Optional[int] = None) -> None:
        if mode not in RESIZE_MODES:
            raise ValueError(
                f'mode must be one of {RESIZE_MODES}, got {mode!r}')
        if size <= 0:
            raise ValueError(f'size must be positive, got {size}')
        if min_side is not None and min_side <= 0:
            raise ValueError(f'min_side must be positive or None, got {min_side}')
        self.size = size
        self.mode = mode
        self.pad_value = pad_value
        self.min_side = min_side

    def transform(self, results: dict) -> dict:
        """Resize ``img`` and rescale ``region_boxes``."""
        height, width = results['img'].shape[:2]
        if self.min_side is not None and min(height, width) >= self.min_side:
            return results
        if self.mode == 'stretch':
            new_w = new_h = self.size
        else:
            ratio = self.size / max(height, width)
            new_w = max(1, min(self.size, round(width * ratio)))
            new_h = max(1, min(self.size, round(height * ratio)))
        resize_with_boxes(results, (new_h, new_w), Image.BICUBIC)
        if self.mode == 'pad':
            resized = results['img']
            canvas = np.full((self.size, self.size, 3), self.pad_value,
                             dtype=resized.dtype)
            canvas[:new_h, :new_w] = resized
            results['img'] = canvas
            results['img_shape'] = canvas.shape[:2]
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(size={self.size}, mode={self.mode!r}, '
                f'pad_value={self.pad_value}, min_side={self.min_side})')
