"""Wall time and FLOPs of the named stages of one call.

Stages are methods of the model (``backbone.forward``, ``rpn_head.predict``
...) wrapped for the duration of a ``with`` block, or explicit ``with
timer.stage(name)`` blocks. A stage entered again from inside itself (a
method of the stage calling another one) counts once. Stages may nest
(NMS inside the RoI head): each figure is inclusive. On CUDA every stage
boundary synchronises, so the times are the work of the stage.
"""
import contextlib
import functools
import time
from collections import defaultdict
from typing import Callable, Dict, Iterator, List, Sequence, Tuple

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from .flops import efficiency
from .timing import synchronize

#: ``(owner, attribute, stage)``: wrap ``owner.attribute`` as ``stage``.
StageTarget = Tuple[object, str, str]


class StageTimer:
    """Seconds (and, with ``count_flops``, FLOPs) of each stage of a call.

    Args:
        device (torch.device): Synchronised at every stage boundary on CUDA.
        count_flops (bool): Count each stage's FLOPs (slower: time a
            separate call). Defaults to False.
    """

    def __init__(self, device: torch.device, count_flops: bool = False) -> None:
        self.device = device
        self.count_flops = count_flops
        self.seconds: Dict[str, float] = defaultdict(float)
        self.flops: Dict[str, int] = defaultdict(int)
        self._active: Dict[str, int] = defaultdict(int)

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as ``name`` (once, if ``name`` is already running)."""
        if self._active[name]:
            yield
            return
        self._active[name] += 1
        counter = (FlopCounterMode(display=False) if self.count_flops
                   else contextlib.nullcontext())
        synchronize(self.device)
        start = time.perf_counter()
        try:
            with counter:
                yield
        finally:
            synchronize(self.device)
            self.seconds[name] += time.perf_counter() - start
            if self.count_flops:
                self.flops[name] += counter.get_total_flops()
            self._active[name] -= 1

    def timed(self, fn: Callable, name: str) -> Callable:
        """``fn`` run as stage ``name``."""
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.stage(name):
                return fn(*args, **kwargs)
        return wrapper

    @contextlib.contextmanager
    def wrapping(self, targets: Sequence[StageTarget]) -> Iterator['StageTimer']:
        """Wrap each ``owner.attribute`` as its stage inside the block."""
        with patched([(owner, attribute, self.timed(getattr(owner, attribute), stage))
                      for owner, attribute, stage in targets]):
            yield self


@contextlib.contextmanager
def patched(replacements: Sequence[Tuple[object, str, object]]) -> Iterator[None]:
    """Set each ``owner.attribute = value`` inside the block, then restore.

    An attribute an instance had only through its class is deleted again, so
    the instance reads the class's once more.
    """
    saved: List[Tuple[object, str, bool, object]] = []
    try:
        for owner, attribute, value in replacements:
            own = attribute in getattr(owner, '__dict__', {})
            saved.append((owner, attribute, own, getattr(owner, attribute)))
            setattr(owner, attribute, value)
        yield
    finally:
        for owner, attribute, own, original in reversed(saved):
            if own:
                setattr(owner, attribute, original)
            else:
                delattr(owner, attribute)


def summarise(runs: Sequence[StageTimer], flops: Dict[str, int],
              peak_gflops: float, total: str) -> Dict[str, Dict[str, float]]:
    """Median milliseconds of each stage over ``runs``, its share of stage
    ``total`` and its achieved GFLOP/s against ``peak_gflops``."""
    names = list(dict.fromkeys(name for run in runs for name in run.seconds))
    total_ms = 1e3 * float(np.median([run.seconds[total] for run in runs]))
    summary = {}
    for name in names:
        ms = 1e3 * float(np.median([run.seconds[name] for run in runs]))
        summary[name] = dict(median_ms=ms, share_of_total=ms / total_ms,
                             **efficiency(flops.get(name, 0), ms / 1e3, peak_gflops))
    return summary
