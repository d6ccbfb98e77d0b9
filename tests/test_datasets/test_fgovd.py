"""load_fgovd_jsonl: the real benchmark files, the synthetic ones, bad input."""
import json
from pathlib import Path

import pytest

from fgclip_det.datasets import (
    FGOVDRecord,
    generate_synthetic_dataset,
    load_fgovd_jsonl,
)
from fgclip_det.datasets.fgovd import FGOVD_FILES
from fgclip_det.datasets.record_schema import RecordError

REPO = Path(__file__).resolve().parents[2]
# The real annotation files sit beside the repository, in shared/data.
REAL_DIR = REPO.parent / 'shared' / 'data' / 'fgovd'
REAL_COUNTS = {
    'h_attributes_llava.jsonl': 3545,
    'm_attributes_llava.jsonl': 2968,
    'e_attributes_llava.jsonl': 1299,
    'shuffle_negatives_llava.jsonl': 3545,
}
GOOD = {
    'img_path': 'val2017/000000000001.jpg',
    'bbox': [1.5, 2, 30.25, 40],
    'pos_expression': ['A red plastic cup.'],
    'neg_expression': [f'A blue plastic cup {i}.' for i in range(10)],
    'category_id': 0,
    'neg_category_ids': list(range(1, 11)),
    'width': 640,
    'height': 480,
    'image_id': 1,
    'sent_id': 0,
    'test_type': '1_attributes',
}


@pytest.mark.skipif(
    not REAL_DIR.is_dir(), reason=f'real FG-OVD files not at {REAL_DIR}')
@pytest.mark.parametrize('name', sorted(REAL_COUNTS))
def test_reads_real_files(name):
    records = load_fgovd_jsonl(REAL_DIR / name)
    assert len(records) == REAL_COUNTS[name]
    assert {r.test_type for r in records} == {FGOVD_FILES[name]}
    assert all(len(r.bbox) == 4 for r in records)
    assert all(
        len(r.neg_expressions) == len(r.neg_category_ids) for r in records)


def test_reads_synthetic_files(tmp_path):
    generate_synthetic_dataset(
        tmp_path, num_train=1, num_val=3, image_size=96, progress=False)
    for name, test_type in FGOVD_FILES.items():
        records = load_fgovd_jsonl(tmp_path / 'fgovd' / name, num_negatives=10)
        assert records and all(r.test_type == test_type for r in records)
        assert [r.sent_id for r in records] == list(range(len(records)))


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / 'split.jsonl'
    path.write_text(''.join(line + '\n' for line in lines))
    return path


def test_reads_good_line_and_skips_blank_lines(tmp_path):
    path = _write(tmp_path, json.dumps(GOOD), '', json.dumps(GOOD))
    records = load_fgovd_jsonl(path, num_negatives=10)
    assert len(records) == 2
    record = records[0]
    assert isinstance(record, FGOVDRecord)
    assert record.bbox == (1.5, 2.0, 30.25, 40.0)
    assert record.pos_expression == 'A red plastic cup.'
    assert len(record.neg_expressions) == 10


def _with(**changes) -> str:
    return json.dumps({**GOOD, **changes})


def _without(field: str) -> str:
    return json.dumps({k: v for k, v in GOOD.items() if k != field})


@pytest.mark.parametrize('line, match', [
    ('{"img_path": ', 'invalid JSON'),
    ('[1, 2]', 'expected a JSON object'),
    (_without('bbox'), r"missing field\(s\) \['bbox'\]"),
    (_with(bbox=[1, 2, 3]), r"field 'bbox': expected 4 numbers"),
    (_with(bbox=[1, 2, '3', 4]), r"field 'bbox': expected 4 numbers"),
    (_with(bbox=[1, 2, -3, 4]), "field 'bbox': expected a positive width"),
    (_with(bbox=[1, 2, 0, 4]), "field 'bbox': expected a positive width"),
    (_with(bbox=[600, 2, 50, 4]), r"field 'bbox': expected a box inside the "
     r'640x480 image, got \[600, 2, 50, 4\] \(list\)'),
    (_with(height=0), "field 'height': expected a positive integer"),
    (_with(img_path=''), "field 'img_path': expected a non-empty string"),
    (_with(pos_expression=[' ']), "field 'pos_expression': expected a list "
     'of 1 non-blank'),
    (_with(neg_expression=GOOD['neg_expression'][:9] + ['']),
     "field 'neg_expression': expected a non-empty list of non-blank"),
    (_with(pos_expression='A cup.'), "field 'pos_expression': expected a list"),
    (_with(neg_expression=[]), "field 'neg_expression': expected a non-empty"),
    (_with(neg_category_ids=[1]), "field 'neg_category_ids': expected 10"),
    (_with(image_id='1'), "field 'image_id': expected an integer"),
    (_with(width=True), "field 'width': expected an integer"),
])
def test_bad_line_names_file_line_and_field(tmp_path, line, match):
    path = _write(tmp_path, json.dumps(GOOD), line)
    with pytest.raises(ValueError, match=match) as info:
        load_fgovd_jsonl(path)
    assert f'{path}:2:' in str(info.value)


def test_wrong_negative_count(tmp_path):
    path = _write(tmp_path,
                  _with(neg_expression=GOOD['neg_expression'][:9],
                        neg_category_ids=list(range(1, 10))))
    assert len(load_fgovd_jsonl(path)) == 1  # the real files have such lines
    with pytest.raises(ValueError, match=r':1: field .neg_expression.: '
                       'expected 10 strings, got 9 strings$'):
        load_fgovd_jsonl(path, num_negatives=10)


def test_the_line_number_counts_blank_lines(tmp_path):
    path = _write(tmp_path, json.dumps(GOOD), '', '', _with(sent_id=None))
    with pytest.raises(RecordError) as info:
        load_fgovd_jsonl(path)
    assert str(info.value) == (
        f"{path}:4: field 'sent_id': expected an integer, got None "
        '(NoneType)')
    assert info.value.field == 'sent_id'


def test_normalised_boxes_and_empty_files_are_errors(tmp_path):
    normalised = _write(tmp_path, _with(bbox=[0.1, 0.2, 0.3, 0.4]),
                        _with(bbox=[0.5, 0.5, 0.5, 0.5]))
    with pytest.raises(ValueError, match='boxes look normalised') as info:
        load_fgovd_jsonl(normalised)
    assert str(normalised) in str(info.value)
    empty = tmp_path / 'empty.jsonl'
    empty.write_text('\n')
    with pytest.raises(ValueError, match='no FG-OVD record'):
        load_fgovd_jsonl(empty)
