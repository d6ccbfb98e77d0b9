"""A detection confusion matrix with one-to-one box matching.

Rows are ground-truth classes, columns predicted classes; the last row and
column are the background. Each ground-truth box is counted exactly once:
in the column of the detection matched to it, or in the background column
when none is (a miss). Each kept detection is counted exactly once: in the
row of its ground-truth box, or in the background row when it matches none
(a false positive). So row ``c`` sums to the number of ground-truth boxes
of class ``c`` and column ``c`` to the number of detections of class ``c``
scoring at least ``score_thr``.

mmdet's ``tools/analysis_tools/confusion_matrix.py`` counts a detection
once for every ground-truth box it overlaps and a box once for every
detection on it, so its rows need not sum to the box counts.
"""
from typing import Sequence

import numpy as np
from mmdet.evaluation import bbox_overlaps


def match_image(matrix: np.ndarray, gt_bboxes: np.ndarray,
                gt_labels: np.ndarray, det_bboxes: np.ndarray,
                det_labels: np.ndarray, det_scores: np.ndarray, *,
                score_thr: float = 0.3, iou_thr: float = 0.5) -> None:
    """Add one image's boxes to ``matrix``.

    Detections scoring at least ``score_thr`` are taken by decreasing
    score; each takes the unmatched ground-truth box of its own class with
    the highest IoU >= ``iou_thr``, else the unmatched box of another class
    with the highest such IoU (a confusion), else none (background).

    Args:
        matrix (np.ndarray): ``(C + 1, C + 1)`` counts, added to in place.
        gt_bboxes (np.ndarray): ``(G, 4)`` xyxy ground-truth boxes.
        gt_labels (np.ndarray): ``(G,)`` class indices in ``[0, C)``.
        det_bboxes (np.ndarray): ``(D, 4)`` xyxy detections.
        det_labels (np.ndarray): ``(D,)`` class indices in ``[0, C)``.
        det_scores (np.ndarray): ``(D,)`` scores.
        score_thr (float): Smallest score kept. Defaults to 0.3.
        iou_thr (float): Smallest IoU of a match. Defaults to 0.5.
    """
    background = matrix.shape[0] - 1
    gt_labels = np.asarray(gt_labels, dtype=np.int64)
    keep = np.asarray(det_scores) >= score_thr
    order = np.argsort(-np.asarray(det_scores)[keep], kind='stable')
    det_bboxes = np.asarray(det_bboxes, dtype=np.float32)[keep][order]
    det_labels = np.asarray(det_labels, dtype=np.int64)[keep][order]
    matched = np.zeros(len(gt_labels), dtype=bool)
    ious = None
    if len(det_labels) and len(gt_labels):
        ious = bbox_overlaps(det_bboxes,
                             np.asarray(gt_bboxes, dtype=np.float32))
    for d, label in enumerate(det_labels):
        gt = background
        if ious is not None:
            free = (~matched) & (ious[d] >= iou_thr)
            same = free & (gt_labels == label)
            candidates = same if same.any() else free
            if candidates.any():
                j = int(np.argmax(np.where(candidates, ious[d], -1)))
                matched[j] = True
                gt = gt_labels[j]
        matrix[gt, label] += 1
    np.add.at(matrix, (gt_labels[~matched], background), 1)


def detection_confusion_matrix(gt_bboxes: Sequence[np.ndarray],
                               gt_labels: Sequence[np.ndarray],
                               det_bboxes: Sequence[np.ndarray],
                               det_labels: Sequence[np.ndarray],
                               det_scores: Sequence[np.ndarray],
                               num_classes: int, *,
                               score_thr: float = 0.3,
                               iou_thr: float = 0.5) -> np.ndarray:
    """The confusion matrix of a data set, image by image.

    Args:
        gt_bboxes, gt_labels (Sequence[np.ndarray]): Per image, ``(G, 4)``
            xyxy boxes and ``(G,)`` class indices.
        det_bboxes, det_labels, det_scores (Sequence[np.ndarray]): Per
            image, ``(D, 4)`` xyxy boxes, ``(D,)`` class indices and scores.
        num_classes (int): ``C``.
        score_thr (float): Smallest detection score kept. Defaults to 0.3.
        iou_thr (float): Smallest IoU of a match. Defaults to 0.5.

    Returns:
        np.ndarray: ``(C + 1, C + 1)`` int64 counts, rows ground truth,
        columns predictions, the last of each the background (see the
        module docstring).
    """
    lengths = {len(gt_bboxes), len(gt_labels), len(det_bboxes),
               len(det_labels), len(det_scores)}
    if len(lengths) != 1:
        raise ValueError(f'every argument needs one entry an image, got '
                         f'lengths {sorted(lengths)}')
    matrix = np.zeros((num_classes + 1, num_classes + 1), dtype=np.int64)
    for image in zip(gt_bboxes, gt_labels, det_bboxes, det_labels,
                     det_scores):
        match_image(matrix, *image, score_thr=score_thr, iou_thr=iou_thr)
    return matrix
