"""Make MMEngine checkpoints loadable with ``torch.load(weights_only=True)``.

torch >= 2.6 unpickles checkpoints with ``weights_only=True``: only tensors,
Python containers and numbers are allowed. MMEngine's checkpoints also hold
``HistoryBuffer`` objects (the message hub's smoothed logs) backed by numpy
arrays, and numpy 2 pickles dtypes through ``builtins.getattr``, which must
never be allow-listed (it is the classic unpickling gadget). So instead of
weakening the loader, what is saved is made plain: every ``HistoryBuffer``
becomes a tagged dict of lists and every numpy value a Python number or
list. :func:`restore_from_plain` rebuilds the ``HistoryBuffer`` objects after
loading so that ``--resume`` continues the logs exactly.
"""
from typing import Any, Callable, List

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

#: Key marking a dict that stands for a serialised ``HistoryBuffer``.
HISTORY_BUFFER_TAG = '__mmengine_history_buffer__'

_PLAIN_LEAF_TYPES = (str, bytes, int, float, bool, complex, type(None),
                     torch.Tensor, torch.Size, torch.dtype, torch.device)


def to_plain(obj: Any,
             on_unknown: Callable[[str, Any], None] | None = None,
             path: str = '') -> Any:
    """Return a copy of ``obj`` made of types ``weights_only`` loading accepts.

    Args:
        obj (Any): A checkpoint or part of one.
        on_unknown (Callable[[str, Any], None], optional): Called with the
            key path and the object for every leaf of an unsupported type,
            which is kept as is. Defaults to None (silently kept).
        path (str): Key path of ``obj``, used in ``on_unknown`` reports.

    Returns:
        Any: The same structure with ``HistoryBuffer`` objects turned into
        tagged dicts and numpy arrays/scalars into lists/Python numbers.
    """
    if isinstance(obj, HistoryBuffer):
        log_history, count_history = obj.data
        return {
            HISTORY_BUFFER_TAG: {
                'log_history': log_history.tolist(),
                'count_history': count_history.tolist(),
                'max_length': int(obj.max_length),
            }
        }
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, dict):
        # ``type(obj)(...)`` keeps OrderedDict (allowed by weights_only).
        return type(obj)((key, to_plain(value, on_unknown, f'{path}.{key}'))
                         for key, value in obj.items())
    if isinstance(obj, (list, tuple)):
        items = [
            to_plain(value, on_unknown, f'{path}[{i}]')
            for i, value in enumerate(obj)
        ]
        return items if isinstance(obj, list) else tuple(items)
    if not isinstance(obj, _PLAIN_LEAF_TYPES) and on_unknown is not None:
        on_unknown(path.lstrip('.'), obj)
    return obj


def restore_from_plain(obj: Any) -> Any:
    """Inverse of :func:`to_plain` for ``HistoryBuffer`` objects.

    Args:
        obj (Any): A loaded checkpoint or part of one.

    Returns:
        Any: The structure with every tagged dict turned back into a
        ``HistoryBuffer``; everything else unchanged.
    """
    if isinstance(obj, dict):
        if set(obj) == {HISTORY_BUFFER_TAG}:
            state = obj[HISTORY_BUFFER_TAG]
            return HistoryBuffer(state['log_history'], state['count_history'],
                                 state['max_length'])
        return type(obj)((key, restore_from_plain(value))
                         for key, value in obj.items())
    if isinstance(obj, list):
        return [restore_from_plain(value) for value in obj]
    return obj


def find_unplain_paths(checkpoint: dict) -> List[str]:
    """Key paths of leaves that ``weights_only`` loading would reject."""
    paths: List[str] = []
    to_plain(checkpoint, lambda path, _: paths.append(path))
    return paths
