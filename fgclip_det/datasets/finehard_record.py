"""Parse FineHARD annotation records into pipeline inputs.

A FineHARD record (FG-CLIP, Xie et al., 2025) holds an image path, a long
``caption``, a ``short_caption`` and ``bbox_info``: a list of regions, each
with a normalised xyxy ``bbox``, a ``short_expr`` and a ``long_expr``, and,
when ``flag_short_neg`` is set, ``short_expr_negs``: hard-negative rewrites
of ``short_expr`` (10 in FineHARD), given as a dict ``{"0": ..., "9": ...}``
or a list.
"""
import json
import math
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

#: Box coordinates this far outside [0, 1] are rounding noise and clipped;
#: farther ones make the box invalid.
BOX_TOLERANCE = 1e-3


def load_finehard_records(path: str) -> List[dict]:
    """Read a FineHARD annotation file: a JSON list or JSON lines.

    Args:
        path (str): The file. If its first non-blank character is ``[`` it is
            read as one JSON list, otherwise as one JSON object a line.

    Returns:
        list[dict]: The records in file order.
    """
    with open(path, encoding='utf-8') as f:
        head = f.read(4096).lstrip()
        f.seek(0)
        if head.startswith('['):
            return json.load(f)
        return [json.loads(line) for line in f if line.strip()]


def normalise_box(box: Any) -> Optional[Tuple[float, float, float, float]]:
    """Validate a normalised xyxy box.

    Args:
        box: The ``bbox`` value of a region.

    Returns:
        tuple | None: The box clipped to [0, 1], or None when it is not four
        finite numbers, lies outside [0, 1] by more than
        :data:`BOX_TOLERANCE` or has no area.
    """
    try:
        coords = [float(c) for c in box]
    except (TypeError, ValueError):
        return None
    if len(coords) != 4 or not all(math.isfinite(c) for c in coords):
        return None
    if any(c < -BOX_TOLERANCE or c > 1 + BOX_TOLERANCE for c in coords):
        return None
    x1, y1, x2, y2 = (min(max(c, 0.0), 1.0) for c in coords)
    if x2 <= x1 or y2 <= y1:
        return None
    return x1, y1, x2, y2


def _negatives(region: dict) -> List[str]:
    if not region.get('flag_short_neg'):
        return []
    negs = region.get('short_expr_negs') or []
    if isinstance(negs, dict):
        return [str(negs[k]) for k in sorted(negs, key=int)]
    return [str(n) for n in negs]


def parse_finehard_record(record: dict,
                          *,
                          path_key: str = 'img_path',
                          max_regions: int = 4) -> Tuple[Dict[str, Any], int]:
    """Turn a FineHARD record into the fields the pretraining pipeline reads.

    Args:
        record (dict): One FineHARD record.
        path_key (str): The record key of the image path. Defaults to
            ``'img_path'``.
        max_regions (int): Keep at most this many valid regions, in record
            order. Defaults to 4 (FG-CLIP).

    Returns:
        tuple[dict, int]: The sample fields and the number of regions dropped
        for an invalid box. The fields are ``img_path`` (as in the record),
        ``long_caption``, ``short_caption``, ``norm_region_boxes``
        (float32 ``(num_regions, 4)``, normalised xyxy), ``region_texts``
        (list of str, the ``short_expr`` of each region, which the hard
        negatives rewrite), ``region_negatives`` (a list of negative captions per
        region, empty for regions without negatives) and ``has_negatives``
        (bool ``(num_regions,)``).
    """
    regions: Sequence[dict] = record.get('bbox_info') or []
    boxes, texts, negatives, dropped = [], [], [], 0
    for region in regions:
        box = normalise_box(region.get('bbox'))
        if box is None:
            dropped += 1
            continue
        if len(boxes) < max_regions:
            boxes.append(box)
            texts.append(str(region['short_expr']))
            negatives.append(_negatives(region))
    info = dict(
        img_path=record[path_key],
        long_caption=str(record['caption']),
        short_caption=str(record['short_caption']),
        norm_region_boxes=np.asarray(boxes, dtype=np.float32).reshape(-1, 4),
        region_texts=texts,
        region_negatives=negatives,
        has_negatives=np.array([bool(n) for n in negatives], dtype=bool))
    return info, dropped
