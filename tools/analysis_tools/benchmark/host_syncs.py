"""Count the calls that make the host wait for the device, on any device.

On CUDA, reading a tensor's value on the host (``.item()``, ``bool(t)``,
``.tolist()``, a copy to the CPU) or running an operator whose output shape
depends on the data (``nonzero``, boolean-mask indexing, ``unique``, ...)
blocks the CPU until the GPU has caught up, so the queue of kernels drains.
:class:`HostSyncCounter` records these calls through a
:class:`~torch.overrides.TorchFunctionMode`, so it works on the CPU as well,
where nothing waits: a count on the CPU is the number of waits the same code
would cause on CUDA, provided its tensors would live on the GPU there. Host
tensors (token ids before their transfer, the optimiser's step counters) are
counted on the CPU too, so count the code that runs on the device: a model's
forward and backward, its heads.

Copies count in both directions where the code shows them: ``.cpu()``,
``.to()`` of a non-CPU tensor to the CPU, and Python data put on a device
(``new_tensor``, ``torch.tensor(..., device=d)`` unless ``d`` is the string
``'cpu'``), which torch copies from pageable memory with a wait. ``.to(d)``
of a CPU tensor does not count: on the CPU it is the transfer of a batch to
the (CPU) device.

It sees calls made from Python (this toolkit, mmdet, mmengine, open_clip),
not syncs inside C++ kernels; on CUDA, ``torch.cuda.set_sync_debug_mode``
catches those too.
"""
import os.path as osp
import traceback
from collections import Counter
from typing import Any, Dict, Optional, Sequence

import torch
from torch import Tensor
from torch.overrides import TorchFunctionMode

#: Calls that always wait: a read of device data on the host, an output sized
#: by the data, or Python data copied to the device.
ALWAYS_SYNC = frozenset({
    'item', 'tolist', 'numpy', 'cpu', '__bool__', '__int__', '__float__',
    '__index__', 'is_nonzero', 'nonzero', 'argwhere', 'masked_select',
    'unique', 'unique_consecutive', 'bincount', 'equal', 'allclose',
    'new_tensor',
})
#: Factories that copy Python data to the ``device`` they are given.
DATA_FACTORIES = frozenset({'tensor', 'as_tensor', 'asarray'})
#: Indexing calls that sync only with a boolean-mask index.
MASK_INDEXING = frozenset({'__getitem__', '__setitem__', 'index_put_', 'index_put'})
_THIS_FILE = osp.abspath(__file__)
_TORCH_DIR = osp.dirname(osp.abspath(torch.__file__))


def _has_mask(index: Any) -> bool:
    """Whether an index (or a tuple / list of indices) holds a bool tensor."""
    if isinstance(index, Tensor):
        return index.dtype == torch.bool
    if isinstance(index, (tuple, list)):
        return any(_has_mask(i) for i in index)
    return False


def _copies_to_host(args: Sequence[Any], kwargs: Dict[str, Any]) -> bool:
    """Whether ``Tensor.to(*args, **kwargs)`` copies a device tensor to the CPU."""
    source = args[0]
    if not isinstance(source, Tensor) or source.device.type == 'cpu':
        return False
    targets = [*args[1:], kwargs.get('device')]
    return any(torch.device(t).type == 'cpu' for t in targets
               if isinstance(t, (str, torch.device)))


def is_host_sync(name: str, args: Sequence[Any], kwargs: Dict[str, Any]) -> bool:
    """Whether a call named ``name`` makes the host wait for the device.

    Args:
        name (str): ``__name__`` of the torch function or tensor method.
        args (Sequence): Its positional arguments (``self`` first for
            methods).
        kwargs (dict): Its keyword arguments.
    """
    if name in ALWAYS_SYNC:
        return True
    if name in MASK_INDEXING:
        return len(args) > 1 and _has_mask(args[1])
    if name == 'to':
        return _copies_to_host(args, kwargs)
    if name in DATA_FACTORIES:
        device = kwargs.get('device')
        return device is not None and device != 'cpu'
    if name == 'where':
        return len(args) + len(kwargs) == 1
    if name == 'repeat_interleave':
        repeats = args[1] if len(args) > 1 else kwargs.get('repeats')
        return isinstance(repeats, Tensor) and kwargs.get('output_size') is None
    return False


def _call_site() -> str:
    """``path:line`` of the innermost caller outside torch and this module."""
    for frame in reversed(traceback.extract_stack()):
        path = osp.abspath(frame.filename)
        if path != _THIS_FILE and not path.startswith(_TORCH_DIR):
            return f'{_short_path(path)}:{frame.lineno}'
    return '<unknown>'


def _short_path(path: str) -> str:
    """``path`` from its package root (``mmdet/...``, ``fgclip_det/...``)."""
    parts = path.split(osp.sep)
    for marker in ('site-packages', 'dist-packages'):
        if marker in parts:
            return '/'.join(parts[parts.index(marker) + 1:])
    if 'fgclip_det' in parts:
        return '/'.join(parts[parts.index('fgclip_det'):])
    return path


class HostSyncCounter(TorchFunctionMode):
    """Count host-device syncs of the code run inside ``with``.

    Example:
        >>> with HostSyncCounter() as syncs:
        ...     loss = model.loss(inputs, data_samples)
        >>> syncs.total, syncs.by_site

    Args:
        record_sites (bool): Also record where each call was made (the
            innermost frame outside torch). Defaults to True.

    Attributes:
        by_call (Counter): Call name -> count.
        by_site (Counter): ``'path:line'`` -> count (with ``record_sites``).
    """

    def __init__(self, record_sites: bool = True) -> None:
        super().__init__()
        self.record_sites = record_sites
        self.by_call: Counter = Counter()
        self.by_site: Counter = Counter()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, '__name__', '')
        if is_host_sync(name, args, kwargs):
            self.by_call[name] += 1
            if self.record_sites:
                self.by_site[_call_site()] += 1
        return func(*args, **kwargs)

    @property
    def total(self) -> int:
        """All counted calls."""
        return sum(self.by_call.values())

    def summary(self, top: Optional[int] = None) -> Dict[str, Any]:
        """``total``, ``by_call`` and the ``top`` busiest ``by_site`` (all)."""
        return dict(total=self.total, by_call=dict(self.by_call.most_common()),
                    by_site=dict(self.by_site.most_common(top)))
