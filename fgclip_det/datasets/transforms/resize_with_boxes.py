"""Resize ``results['img']`` with PIL and rescale its boxes to match."""
from typing import Sequence, Tuple

import numpy as np
from PIL import Image


def rescale_boxes(boxes, w_scale: float, h_scale: float,
                  shape: Tuple[int, int]):
    """Scale xyxy boxes per axis and clip them to ``shape`` ``(H, W)``.

    Args:
        boxes (np.ndarray | HorizontalBoxes): ``(n, 4)`` pixel boxes; an
            mmdet box type is rescaled in place.
        w_scale (float): Horizontal ratio.
        h_scale (float): Vertical ratio.
        shape (tuple[int, int]): ``(H, W)`` to clip to.

    Returns:
        np.ndarray | HorizontalBoxes: The boxes, float32 for an array.
    """
    if isinstance(boxes, np.ndarray):
        scaled = boxes * np.array([w_scale, h_scale, w_scale, h_scale],
                                  dtype=np.float32)
        scaled[:, 0::2] = scaled[:, 0::2].clip(0, shape[1])
        scaled[:, 1::2] = scaled[:, 1::2].clip(0, shape[0])
        return scaled
    boxes.rescale_((w_scale, h_scale))
    boxes.clip_(shape)
    return boxes


def resize_with_boxes(results: dict, size: Tuple[int, int], resample: int,
                      box_keys: Sequence[str] = ('region_boxes', )) -> dict:
    """Resize ``img`` (uint8 ``(H, W, 3)``) to ``size`` ``(H', W')``.

    Sets ``img``, ``img_shape`` and ``scale_factor`` (``(w_scale,
    h_scale)``) and rescales the boxes under ``box_keys`` that are set.

    Args:
        results (dict): The transform's results.
        size (tuple[int, int]): ``(H', W')``.
        resample (int): PIL filter, e.g. ``Image.BICUBIC``.
        box_keys (Sequence[str]): Keys of pixel xyxy boxes. Defaults to
            ``('region_boxes', )``.

    Returns:
        dict: ``results``.
    """
    img = results['img']
    height, width = img.shape[:2]
    new_h, new_w = size
    # np.array, not asarray: later transforms may write into the image
    resized = np.array(Image.fromarray(img).resize((new_w, new_h), resample))
    w_scale, h_scale = new_w / width, new_h / height
    results['img'] = resized
    results['img_shape'] = (new_h, new_w)
    results['scale_factor'] = (w_scale, h_scale)
    for key in box_keys:
        if results.get(key) is not None:
            results[key] = rescale_boxes(results[key], w_scale, h_scale,
                                         (new_h, new_w))
    return results
