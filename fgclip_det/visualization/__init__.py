"""Readable detection pictures: which boxes are drawn, and at what size."""
from .box_selection import (
    check_box_selection,
    max_boxes_arg,
    relative_score_thr_arg,
    select_instances,
)
from .readable_drawing import MIN_SHORT_SIDE, draw_detections
from .readable_visualizer import ReadableDetLocalVisualizer

__all__ = [
    'MIN_SHORT_SIDE', 'ReadableDetLocalVisualizer', 'check_box_selection',
    'draw_detections', 'max_boxes_arg', 'relative_score_thr_arg',
    'select_instances'
]
