"""Reading FG-OVD benchmark files (Bianchi et al., CVPR 2024).

The benchmark has four difficulty files, one JSON object a line, each line one
box of an image with one positive and (usually ten) negative expressions:

``img_path`` (str), ``bbox`` (COCO ``[x, y, w, h]`` in pixels),
``pos_expression`` (list of 1 str), ``neg_expression`` (list of str),
``category_id`` (int), ``neg_category_ids`` (list of int, one per negative),
``width``, ``height``, ``image_id``, ``sent_id`` (int) and ``test_type``
(str).

:func:`load_fgovd_jsonl` reads the real files and the synthetic ones written
by :mod:`fgclip_det.datasets.synthetic` alike.
"""
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _parse_line(line: str, where: str, num_negatives: int | None
                ) -> FGOVDRecord:

    def fail(field: str, expected: str, value: Any) -> ValueError:
        return ValueError(f'{where}: field {field!r}: expected {expected}, '
                          f'got {value!r}')

    try:
        data = json.loads(line)
    except json.JSONDecodeError as err:
        raise ValueError(f'{where}: invalid JSON: {err}') from err
    if not isinstance(data, dict):
        raise ValueError(f'{where}: expected a JSON object, got {data!r}')
    missing = [f for f in FGOVD_FIELDS if f not in data]
    if missing:
        raise ValueError(f'{where}: missing field(s) {missing}')
    if not isinstance(data['img_path'], str):
        raise fail('img_path', 'a string', data['img_path'])
    if not isinstance(data['test_type'], str):
        raise fail('test_type', 'a string', data['test_type'])
    bbox = data['bbox']
    if not (isinstance(bbox, list) and len(bbox) == 4
            and all(map(_is_number, bbox))):
        raise fail('bbox', '4 numbers [x, y, w, h]', bbox)
    if bbox[2] < 0 or bbox[3] < 0:
        raise fail('bbox', 'a non-negative width and height', bbox)
    for field in _INT_FIELDS:
        if not _is_int(data[field]):
            raise fail(field, 'an integer', data[field])
    pos = data['pos_expression']
    if not (_is_str_list(pos) and len(pos) == 1):
        raise fail('pos_expression', 'a list of 1 string', pos)
    negs = data['neg_expression']
    if not (_is_str_list(negs) and negs):
        raise fail('neg_expression', 'a non-empty list of strings', negs)
    if num_negatives is not None and len(negs) != num_negatives:
        raise fail('neg_expression', f'{num_negatives} strings',
                   f'{len(negs)} strings')
    neg_ids = data['neg_category_ids']
    if not (isinstance(neg_ids, list) and len(neg_ids) == len(negs)
            and all(map(_is_int, neg_ids))):
        raise fail('neg_category_ids',
                   f'{len(negs)} integers (one per negative)', neg_ids)
    return FGOVDRecord(
        img_path=data['img_path'],
        bbox=tuple(float(v) for v in bbox),
        pos_expression=pos[0],
        neg_expressions=tuple(negs),
        category_id=data['category_id'],
        neg_category_ids=tuple(neg_ids),
        width=data['width'],
        height=data['height'],
        image_id=data['image_id'],
        sent_id=data['sent_id'],
        test_type=data['test_type'])


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
        ValueError: On the first bad line, naming the file, the line number,
            the field and what was expected.
    """
    path = Path(path)
    records = []
    with path.open(encoding='utf-8') as file:
        for number, line in enumerate(file, start=1):
            if line.strip():
                records.append(
                    _parse_line(line, f'{path}:{number}', num_negatives))
    return records
