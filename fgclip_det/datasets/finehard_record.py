"""The FineHARD record schema: check a record, turn it into pipeline fields.

A FineHARD record (FG-CLIP, Xie et al., 2025) holds an image path, a long
``caption``, a ``short_caption`` and ``bbox_info``: a list of regions, each
with a normalised xyxy ``bbox``, a ``short_expr`` and a ``long_expr``, and,
when ``flag_short_neg`` is set, ``short_expr_negs``: the
:data:`FINEHARD_NUM_NEGATIVES` hard-negative rewrites of ``short_expr``,
given as a dict ``{"0": ..., "9": ...}`` or a list.

A value of the wrong type means the file's format is misunderstood, so it
raises a :class:`~fgclip_det.datasets.record_schema.RecordError` naming the
file, the record, the field, what was expected and what was found. A value
of the right type that is unusable in one record (a null caption, a box
outside the image) is skipped and counted in a
:class:`~fgclip_det.datasets.skip_summary.SkipSummary`, so that one bad
record among millions does not stop a run; :func:`check_finehard_file`
then raises when so much was skipped that the file itself is wrong. Per
field:

- the record: not a JSON object: error.
- image path (``path_key``): missing or not a string: error; empty: record
  skipped.
- ``caption``, ``short_caption``: missing, or neither a string nor null:
  error; null or blank: record skipped (never read as the text "None").
- ``bbox_info``: absent: no regions; not a list: error.
- a region: not a JSON object: error.
- ``bbox``: not 4 numbers: error; a coordinate not finite or outside
  [0, 1] by more than :data:`BOX_TOLERANCE`, or no area: region skipped.
- ``short_expr``: missing, or neither a string nor null: error; null or
  blank: region skipped.
- ``long_expr``: present and not a string: error.
- ``flag_short_neg``: absent means False; not a bool or 0/1: error.
- ``short_expr_negs`` (read only when ``flag_short_neg`` is set): not a list
  or a dict of strings with integer keys (a single string is never split
  into characters): error; null, a count other than ``num_negatives`` or a
  blank negative: the region keeps its box and caption but not its
  negatives (counted).
"""
import math
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from .record_schema import field_error, is_blank, is_number, require
from .skip_summary import SkipSummary

#: Hard negatives per region in FineHARD and in the FG-CLIP recipe.
FINEHARD_NUM_NEGATIVES = 10
#: Box coordinates this far outside [0, 1] are rounding noise and clipped;
#: farther ones make the box invalid.
BOX_TOLERANCE = 1e-3
#: A file with more than this fraction of invalid boxes is an error: its
#: boxes are not in the normalised xyxy format.
MAX_INVALID_BOX_FRACTION = 0.5

Box = Tuple[float, float, float, float]


def check_box(value: Any, where: str, field: str,
              summary: SkipSummary) -> Optional[Box]:
    """Check a normalised xyxy box.

    Args:
        value: The ``bbox`` value of a region.
        where (str): The file and record, for errors.
        field (str): The field name, for errors.
        summary (SkipSummary): Counts a skipped box by reason.

    Returns:
        tuple | None: The box clipped to [0, 1], or None (counted) when a
        coordinate is not finite or lies outside [0, 1] by more than
        :data:`BOX_TOLERANCE`, or the box has no area.

    Raises:
        RecordError: When the value is not a list of 4 numbers.
    """
    if not (isinstance(value, list) and len(value) == 4
            and all(map(is_number, value))):
        raise field_error(where, field, '4 numbers [x1, y1, x2, y2]', value)
    coords = [float(c) for c in value]
    if not all(map(math.isfinite, coords)):
        summary.skip('region', 'box not finite')
        return None
    if any(c < -BOX_TOLERANCE or c > 1 + BOX_TOLERANCE for c in coords):
        summary.skip('region', 'box outside [0, 1]')
        summary.largest_bad_coordinate = max(
            summary.largest_bad_coordinate, *map(abs, coords))
        return None
    x1, y1, x2, y2 = (min(max(c, 0.0), 1.0) for c in coords)
    if x2 <= x1 or y2 <= y1:
        summary.skip('region', 'box has no area (x2 <= x1 or y2 <= y1)')
        return None
    return x1, y1, x2, y2


def _text(record: dict, key: str, where: str, field: str) -> Optional[str]:
    """A required text field; None when it is null or blank."""
    value = require(record, key, where, 'a string', field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise field_error(where, field, 'a string', value)
    return None if is_blank(value) else value


def _flag(region: dict, where: str, field: str) -> bool:
    flag = region.get('flag_short_neg', False)
    if isinstance(flag, bool):
        return flag
    if flag in (0, 1) and isinstance(flag, int):
        return bool(flag)
    raise field_error(where, field, 'true, false, 0 or 1', flag)


def _negatives(region: dict, where: str, field: str,
               num_negatives: Optional[int],
               summary: SkipSummary) -> List[str]:
    """The region's hard negatives; [] (counted) when unusable."""
    negs = region.get('short_expr_negs')
    if isinstance(negs, dict):
        if not all(isinstance(k, str) and k.isdigit() for k in negs):
            raise field_error(where, field,
                              'integer keys "0", "1", ...', list(negs))
        negs = [negs[k] for k in sorted(negs, key=int)]
    elif negs is not None and not isinstance(negs, list):
        raise field_error(where, field,
                          'a list or a {"0": ...} dict of strings', negs)
    negs = negs or []
    for value in negs:
        if not isinstance(value, str):
            raise field_error(where, field, 'strings only', value)
    if num_negatives is not None and len(negs) != num_negatives:
        summary.skip('negatives',
                     f'{len(negs)} negatives, expected {num_negatives}')
        return []
    if not negs:
        summary.skip('negatives', 'flag_short_neg set, no negatives')
        return []
    if any(map(is_blank, negs)):
        summary.skip('negatives', 'a blank negative')
        return []
    return negs


def parse_finehard_record(
        record: Any,
        where: str,
        summary: SkipSummary,
        *,
        path_key: str = 'img_path',
        max_regions: int = 4,
        num_negatives: Optional[int] = FINEHARD_NUM_NEGATIVES
) -> Optional[Dict[str, Any]]:
    """Check a FineHARD record and turn it into the pipeline's fields.

    Args:
        record: One parsed record.
        where (str): The file and record, e.g. ``'train.jsonl:7'``.
        summary (SkipSummary): Counts the record, its regions and what is
            skipped.
        path_key (str): The record key of the image path. Defaults to
            ``'img_path'``.
        max_regions (int): Keep at most this many valid regions, in record
            order. 0 reads no region (``bbox_info`` is then not checked).
            Defaults to 4 (FG-CLIP).
        num_negatives (int, optional): Hard negatives a region must have.
            None accepts any non-zero number. Defaults to
            :data:`FINEHARD_NUM_NEGATIVES`.

    Returns:
        dict | None: None when the record is skipped (counted). Otherwise
        ``img_path`` (as in the record), ``long_caption``,
        ``short_caption``, ``norm_region_boxes`` (float32
        ``(num_regions, 4)``, normalised xyxy), ``region_texts`` (the
        ``short_expr`` of each region, which the hard negatives rewrite),
        ``region_long_texts`` (the ``long_expr`` of each region; None where
        it is absent or blank), ``region_negatives`` (a list of negative
        captions per region, empty for regions without usable negatives)
        and ``has_negatives`` (bool ``(num_regions,)``).

    Raises:
        RecordError: When a field has the wrong type (see the module
            docstring).
    """
    if not isinstance(record, dict):
        raise field_error(where, '(record)', 'a JSON object', record)
    summary.records += 1
    img_path = require(record, path_key, where, 'a string (the image path)')
    if not isinstance(img_path, str):
        raise field_error(where, path_key, 'a string (the image path)',
                          img_path)
    long_caption = _text(record, 'caption', where, 'caption')
    short_caption = _text(record, 'short_caption', where, 'short_caption')
    if is_blank(img_path):
        summary.skip('record', f'empty {path_key}')
        return None
    if long_caption is None or short_caption is None:
        summary.skip('record', 'caption or short_caption null or blank')
        return None
    boxes, texts, long_texts, negatives = [], [], [], []
    regions = record.get('bbox_info', []) if max_regions else []
    if not isinstance(regions, list):
        raise field_error(where, 'bbox_info', 'a list of regions', regions)
    for index, region in enumerate(regions):
        field = f'bbox_info[{index}]'
        if not isinstance(region, dict):
            raise field_error(where, field, 'a JSON object', region)
        summary.regions += 1
        box = check_box(
            require(region, 'bbox', where, '4 numbers', f'{field}.bbox'),
            where,
            f'{field}.bbox', summary)
        text = _text(region, 'short_expr', where, f'{field}.short_expr')
        long_expr = region.get('long_expr')
        if long_expr is not None and not isinstance(long_expr, str):
            raise field_error(where, f'{field}.long_expr', 'a string',
                              long_expr)
        has_flag = _flag(region, where, f'{field}.flag_short_neg')
        if box is None:
            continue
        if text is None:
            summary.skip('region', 'short_expr blank')
            continue
        negs = (_negatives(region, where, f'{field}.short_expr_negs',
                           num_negatives, summary) if has_flag else [])
        if len(boxes) < max_regions:
            boxes.append(box)
            texts.append(text)
            long_texts.append(None if long_expr is None or is_blank(long_expr)
                              else long_expr)
            negatives.append(negs)
    return dict(
        img_path=img_path,
        long_caption=long_caption,
        short_caption=short_caption,
        norm_region_boxes=np.asarray(boxes, dtype=np.float32).reshape(-1, 4),
        region_texts=texts,
        region_long_texts=long_texts,
        region_negatives=negatives,
        has_negatives=np.array([bool(n) for n in negatives], dtype=bool))


def _box_hint(summary: SkipSummary) -> str:
    if summary.largest_bad_coordinate > 2:
        return (f'the boxes look like pixels (coordinates up to '
                f'{summary.largest_bad_coordinate:g}); divide x by the image '
                'width and y by its height')
    reasons = dict(summary.reasons('region'))
    no_area = reasons.get('box has no area (x2 <= x1 or y2 <= y1)', 0)
    if no_area * 2 > sum(reasons.values()):
        return ('the boxes look like [x, y, width, height]; convert them '
                'to [x1, y1, x2, y2]')
    return 'check how the boxes were written'


def check_finehard_file(summary: SkipSummary, source: str) -> None:
    """Raise when a file (or shard) was not FineHARD data at all.

    Args:
        summary (SkipSummary): What parsing the file counted.
        source (str): The file, for the message.

    Raises:
        ValueError: When the file holds no record, every record was
            skipped, or more than :data:`MAX_INVALID_BOX_FRACTION` of the
            region boxes are invalid (with the likely cause, e.g. pixel
            instead of normalised coordinates).
    """
    if not summary.records:
        raise ValueError(f'{source}: no FineHARD record in the file')
    if summary.count('record') == summary.records:
        raise ValueError(
            f'{source}: all {summary.records} records are unusable '
            f'({summary.describe()})')
    bad_boxes = sum(n for r, n in summary.reasons('region')
                    if r.startswith('box'))
    if bad_boxes > MAX_INVALID_BOX_FRACTION * summary.regions:
        raise ValueError(
            f'{source}: {bad_boxes} of {summary.regions} region boxes are '
            f'invalid ({summary.describe()}): {_box_hint(summary)}. '
            'FineHARD boxes are normalised [x1, y1, x2, y2] in [0, 1].')
