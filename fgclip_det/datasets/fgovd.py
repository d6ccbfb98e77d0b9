"""Reading FG-OVD benchmark files (Bianchi et al., CVPR 2024).

The benchmark has four difficulty files, one JSON object a line, each line one
box of an image with one positive and (usually ten) negative expressions:

``img_path`` (str), ``bbox`` (COCO ``[x, y, w, h]`` in pixels),
``pos_expression`` (list of 1 str), ``neg_expression`` (list of str),
``category_id`` (int), ``neg_category_ids`` (list of int, one per negative),
``width``, ``height``, ``image_id``, ``sent_id`` (int) and ``test_type``
(str).

:func:`load_fgovd_jsonl` reads the real files and the synthetic ones written
by :mod:`fgclip_det.datasets.synthetic` alike. Every problem is an error
(a :class:`~fgclip_det.datasets.record_schema.RecordError` naming the file,
the line, the field, what was expected and what was found): a benchmark file
is read whole, since leaving out a line would change the score. Checked per
line: the JSON object, every field present and of its type, a box of
positive size inside the image (by :data:`BOX_TOLERANCE` pixels), positive
image sizes, non-blank expressions, one category id per negative; per file:
at least one line, and boxes in pixels rather than normalised.
"""
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .json_records import iter_json_lines
from .record_schema import (
    RecordError,
    field_error,
    is_blank,
    is_int,
    is_number,
    is_str_list,
)

# File name -> test type of the four difficulty levels.
FGOVD_FILES = {
    'h_attributes_llava.jsonl': '1_attributes',  # hard
    'm_attributes_llava.jsonl': '2_attributes',  # medium
    'e_attributes_llava.jsonl': '3_attributes',  # easy
    'shuffle_negatives_llava.jsonl': 'shuffle_negatives',  # trivial
}
FGOVD_FIELDS = ('img_path', 'bbox', 'pos_expression', 'neg_expression',
                'category_id', 'neg_category_ids', 'width', 'height',
                'image_id', 'sent_id', 'test_type')
_INT_FIELDS = ('category_id', 'width', 'height', 'image_id', 'sent_id')
#: Pixels a box may extend past the image border (rounding).
BOX_TOLERANCE = 1.0


@dataclass(frozen=True)
class FGOVDRecord:
    """One box of the FG-OVD benchmark.

    Args:
        img_path (str): Image path relative to the benchmark's image root.
        bbox (tuple[float, float, float, float]): COCO ``(x, y, w, h)`` in
            pixels.
        pos_expression (str): The true description of the box.
        neg_expressions (tuple[str, ...]): Wrong descriptions.
        category_id (int): Vocabulary id of the positive.
        neg_category_ids (tuple[int, ...]): Vocabulary ids of the negatives.
        width (int): Image width.
        height (int): Image height.
        image_id (int): Image id.
        sent_id (int): Id of the line.
        test_type (str): E.g. ``'1_attributes'`` or ``'shuffle_negatives'``.
    """

    img_path: str
    bbox: tuple[float, float, float, float]
    pos_expression: str
    neg_expressions: tuple[str, ...]
    category_id: int
    neg_category_ids: tuple[int, ...]
    width: int
    height: int
    image_id: int
    sent_id: int
    test_type: str


def _check_box(data: dict, where: str) -> tuple[float, float, float, float]:
    bbox = data['bbox']
    if not (isinstance(bbox, list) and len(bbox) == 4
            and all(map(is_number, bbox))):
        raise field_error(where, 'bbox', '4 numbers [x, y, w, h]', bbox)
    x, y, w, h = (float(v) for v in bbox)
    if not (w > 0 and h > 0):
        raise field_error(where, 'bbox', 'a positive width and height', bbox)
    width, height = data['width'], data['height']
    if (x < -BOX_TOLERANCE or y < -BOX_TOLERANCE
            or x + w > width + BOX_TOLERANCE
            or y + h > height + BOX_TOLERANCE):
        raise field_error(where, 'bbox',
                          f'a box inside the {width}x{height} image', bbox)
    return x, y, w, h


def _parse_record(data: Any, where: str,
                  num_negatives: int | None) -> FGOVDRecord:
    if not isinstance(data, dict):
        raise field_error(where, '(record)', 'a JSON object', data)
    missing = [f for f in FGOVD_FIELDS if f not in data]
    if missing:
        raise RecordError(where, ', '.join(missing), 'the field(s) present',
                          f'missing field(s) {missing}')
    for field in ('img_path', 'test_type'):
        if not isinstance(data[field], str) or is_blank(data[field]):
            raise field_error(where, field, 'a non-empty string', data[field])
    for field in _INT_FIELDS:
        if not is_int(data[field]):
            raise field_error(where, field, 'an integer', data[field])
    for field in ('width', 'height'):
        if data[field] <= 0:
            raise field_error(where, field, 'a positive integer', data[field])
    bbox = _check_box(data, where)
    pos = data['pos_expression']
    if not (is_str_list(pos) and len(pos) == 1 and not is_blank(pos[0])):
        raise field_error(where, 'pos_expression',
                          'a list of 1 non-blank string', pos)
    negs = data['neg_expression']
    if not (is_str_list(negs) and negs and not any(map(is_blank, negs))):
        raise field_error(where, 'neg_expression',
                          'a non-empty list of non-blank strings', negs)
    if num_negatives is not None and len(negs) != num_negatives:
        raise RecordError(where, 'neg_expression', f'{num_negatives} strings',
                          f'{len(negs)} strings')
    neg_ids = data['neg_category_ids']
    if not (isinstance(neg_ids, list) and len(neg_ids) == len(negs)
            and all(map(is_int, neg_ids))):
        raise field_error(where, 'neg_category_ids',
                          f'{len(negs)} integers (one per negative)', neg_ids)
    return FGOVDRecord(
        img_path=data['img_path'],
        bbox=bbox,
        pos_expression=pos[0],
        neg_expressions=tuple(negs),
        category_id=data['category_id'],
        neg_category_ids=tuple(neg_ids),
        width=data['width'],
        height=data['height'],
        image_id=data['image_id'],
        sent_id=data['sent_id'],
        test_type=data['test_type'])


def _check_file(records: list[FGOVDRecord], path: Path) -> None:
    if not records:
        raise ValueError(f'{path}: no FG-OVD record in the file')
    largest = max(max(r.bbox[0] + r.bbox[2], r.bbox[1] + r.bbox[3])
                  for r in records)
    if largest <= 1 and any(max(r.width, r.height) > 2 for r in records):
        raise ValueError(
            f'{path}: every box lies within [0, 1] although the images are '
            'larger: the boxes look normalised; FG-OVD boxes are COCO '
            '[x, y, w, h] in pixels')


def load_fgovd_jsonl(path: str | Path,
                     num_negatives: int | None = None) -> list[FGOVDRecord]:
    """Read and check one FG-OVD file.

    Args:
        path (str | Path): A ``.jsonl`` file; blank lines are skipped.
        num_negatives (int, optional): Require exactly this many negatives on
            every line. The real files have 10 on almost every line but a few
            with fewer, so by default any non-zero number is accepted.

    Returns:
        list[FGOVDRecord]: One record per line, in file order.

    Raises:
        RecordError: On the first bad line, naming the file, the line number
            (1-based, blank lines counted), the field, what was expected and
            what was found.
        ValueError: On invalid JSON, an empty file, or normalised boxes.
    """
    path = Path(path)
    records = [_parse_record(data, where, num_negatives)
               for where, data in iter_json_lines(str(path))]
    _check_file(records, path)
    return records
