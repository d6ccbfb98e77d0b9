"""Checks shared by the annotation record readers: what failed, and where.

A :class:`RecordError` names the file and record (``where``), the field,
what was expected and what was found, e.g.::

    train.jsonl:7: field 'bbox_info[2].bbox': expected 4 numbers
    [x1, y1, x2, y2], got 'not a box' (str)
"""
from typing import Any, Optional

#: Longest ``repr`` of a bad value quoted in an error message.
_MAX_SHOWN = 120


def show(value: Any) -> str:
    """Quote a value and its JSON-ish type for an error message.

    Args:
        value: The bad value.

    Returns:
        str: Its (shortened) ``repr`` followed by its type name.
    """
    text = repr(value)
    if len(text) > _MAX_SHOWN:
        text = text[:_MAX_SHOWN - 3] + '...'
    return f'{text} ({type(value).__name__})'


class RecordError(ValueError):
    """A record that does not fit its schema.

    Args:
        where (str): The file and the record in it, e.g. ``'a.jsonl:7'``.
        field (str): The field, nested ones as ``'bbox_info[2].bbox'``.
        expected (str): What the field should hold.
        got (str): What it holds (see :func:`show`).
    """

    def __init__(self, where: str, field: str, expected: str, got: str):
        self.where, self.field = where, field
        self.expected, self.got = expected, got
        super().__init__(
            f'{where}: field {field!r}: expected {expected}, got {got}')


def field_error(where: str, field: str, expected: str,
                value: Any) -> RecordError:
    """A :class:`RecordError` quoting the bad ``value`` with :func:`show`."""
    return RecordError(where, field, expected, show(value))


def require(record: dict, key: str, where: str, expected: str,
            field: Optional[str] = None) -> Any:
    """Return ``record[key]``, or raise a :class:`RecordError` naming the
    keys the record does have when ``key`` is missing.

    Args:
        record (dict): A record or a nested object of one.
        key (str): The key.
        where (str): The file and record.
        expected (str): What the field should hold.
        field (str, optional): The field's full name. Defaults to ``key``.

    Returns:
        Any: The value.
    """
    if key not in record:
        raise RecordError(where, field or key, expected,
                          f'no such field (the keys are {sorted(record)})')
    return record[key]


def is_int(value: Any) -> bool:
    """Whether ``value`` is a JSON integer (``bool`` excluded)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """Whether ``value`` is a JSON number (``bool`` excluded)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_str_list(value: Any) -> bool:
    """Whether ``value`` is a list of strings."""
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def is_blank(text: str) -> bool:
    """Whether a string is empty or only whitespace."""
    return not text.strip()
