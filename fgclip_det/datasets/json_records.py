"""Read annotation records from a JSON list or JSON lines, with locations.

Every record comes with ``where``, the text error messages start with:
``'{path}:{line}'`` (1-based line of the file, blank lines counted) for JSON
lines and ``'{path}: record {index}'`` (0-based index in the list) for a JSON
list.
"""
import json
from typing import Any, Iterator, List, Tuple


def iter_json_lines(path: str) -> Iterator[Tuple[str, Any]]:
    """Yield ``(where, value)`` for each non-blank line of a JSON lines file.

    Args:
        path (str): The file.

    Yields:
        tuple[str, Any]: ``'{path}:{line}'`` and the parsed line.

    Raises:
        ValueError: On a line that is not valid JSON, naming file and line.
    """
    with open(path, encoding='utf-8') as file:
        for number, line in enumerate(file, start=1):
            if not line.strip():
                continue
            where = f'{path}:{number}'
            try:
                yield where, json.loads(line)
            except json.JSONDecodeError as err:
                hint = (' (a JSON file must hold a list of records, or one '
                        'record a line)' if number == 1 else '')
                raise ValueError(
                    f'{where}: invalid JSON: {err}{hint}') from err


def read_json_records(path: str) -> List[Tuple[str, Any]]:
    """Read a JSON list or JSON lines file.

    Args:
        path (str): The file. If its first non-blank character is ``[`` it is
            read as one JSON list, otherwise as one JSON value a line.

    Returns:
        list[tuple[str, Any]]: ``(where, record)`` in file order.

    Raises:
        ValueError: On invalid JSON, naming the file and the line.
    """
    with open(path, encoding='utf-8') as file:
        head = file.read(4096).lstrip()
        if not head.startswith('['):
            return list(iter_json_lines(path))
        file.seek(0)
        try:
            records = json.load(file)
        except json.JSONDecodeError as err:
            raise ValueError(f'{path}: invalid JSON: {err}') from err
    return [(f'{path}: record {i}', r) for i, r in enumerate(records)]
