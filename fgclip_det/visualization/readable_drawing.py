"""Draw detections legibly: small images are upscaled before drawing."""
import math
from typing import Any

import mmcv
import numpy as np
from mmdet.structures import DetDataSample
from mmdet.visualization import DetLocalVisualizer

#: Images whose shorter side is below this many pixels are drawn upscaled.
MIN_SHORT_SIDE = 512


def draw_detections(visualizer: DetLocalVisualizer, name: str,
                    image: np.ndarray, data_sample: DetDataSample,
                    min_short_side: int = MIN_SHORT_SIDE,
                    **kwargs: Any) -> np.ndarray:
    """Draw every predicted box of ``data_sample`` with
    ``visualizer.add_datasample``, on the image upscaled so that its shorter
    side is at least ``min_short_side``.

    Labels are written at a fixed size in pixels, so on a 128-224 px image
    they are crammed and blurred; at >= 512 px they fit beside the boxes (a
    :class:`ReadableDetLocalVisualizer` also keeps them at least 10 pt).
    Ground-truth and predicted boxes are scaled with the image; no score
    threshold is applied (select the boxes first, e.g. with
    :func:`select_instances`). ``data_sample`` is not modified.

    Args:
        visualizer (DetLocalVisualizer): Draws and saves or shows.
        name (str): The image identifier.
        image (np.ndarray): ``(H, W, 3)`` uint8 RGB.
        data_sample (DetDataSample): Boxes in ``image``'s pixels.
        min_short_side (int): Upscale images with a shorter side below this;
            0 draws at the image's size. Defaults to 512.
        **kwargs: Other ``add_datasample`` arguments (``draw_gt``, ``show``,
            ``out_file``, ``step``, ...).

    Returns:
        np.ndarray: The drawn RGB image.
    """
    height, width = image.shape[:2]
    scale = min_short_side / min(height, width)
    if scale > 1:
        size = (round(width * scale), round(height * scale))
        image = mmcv.imresize(image, size, interpolation='bicubic')
        data_sample = data_sample.clone()  # shallow: new fields, same tensors
        factors = (size[0] / width, size[1] / height) * 2
        for key in ('gt_instances', 'pred_instances'):
            instances = data_sample.get(key)
            if instances is not None and 'bboxes' in instances:
                instances = instances.clone()
                instances.bboxes = instances.bboxes * instances.bboxes.new_tensor(
                    factors)
                setattr(data_sample, key, instances)
    visualizer.add_datasample(name, image, data_sample,
                              pred_score_thr=-math.inf, **kwargs)
    return visualizer.get_image()
