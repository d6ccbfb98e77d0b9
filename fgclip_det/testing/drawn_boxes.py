"""Detections on a black picture, and whether a box was drawn on it."""
from pathlib import Path
from typing import Sequence

import cv2
import numpy as np
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData


def black_picture_sample(path: Path, height: int, width: int,
                         boxes: Sequence[Sequence[float]],
                         scores: Sequence[float],
                         gt_boxes: Sequence[Sequence[float]] = ()) -> DetDataSample:
    """Write a black ``height x width`` PNG to ``path``; a sample of it with
    the predicted ``boxes`` (label 0) and ``gt_boxes``, xyxy pixels."""
    cv2.imwrite(str(path), np.zeros((height, width, 3), np.uint8))
    sample = DetDataSample(metainfo=dict(img_path=str(path)))
    sample.pred_instances = InstanceData(
        bboxes=torch.tensor(boxes, dtype=torch.float32).view(-1, 4),
        scores=torch.tensor(scores, dtype=torch.float32),
        labels=torch.zeros(len(scores), dtype=torch.long))
    sample.gt_instances = InstanceData(
        bboxes=torch.tensor(gt_boxes, dtype=torch.float32).view(-1, 4),
        labels=torch.zeros(len(gt_boxes), dtype=torch.long))
    return sample


def box_drawn(picture: np.ndarray, box: Sequence[float], scale: float = 1.0,
              x_offset: int = 0) -> bool:
    """Whether the middle of the bottom edge of ``box`` (in the source image's
    pixels, drawn ``scale`` times larger, ``x_offset`` pixels to the right)
    is not black in ``picture``."""
    x = round((box[0] + box[2]) / 2 * scale) + x_offset
    y = round(box[3] * scale)
    return bool(picture[y - 1:y + 2, x].max() > 64)
