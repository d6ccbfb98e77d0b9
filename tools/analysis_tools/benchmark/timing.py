"""Timing harness: warm-up, timed runs, robust statistics, peak memory."""
import resource
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Dict, Iterator, List

import numpy as np
import torch

#: Latency percentiles reported by :meth:`Timing.summary`.
PERCENTILES = (50, 90, 99)
_MIB = 1024 * 1024


@dataclass
class Timing:
    """Wall-clock seconds of each timed run of one workload.

    Args:
        seconds (list[float]): One entry per timed run.
    """

    seconds: List[float]

    def percentile(self, q: float) -> float:
        """The ``q``-th percentile in seconds (linear interpolation)."""
        return float(np.percentile(self.seconds, q))

    @property
    def median(self) -> float:
        """Median seconds of a run."""
        return self.percentile(50)

    def summary(self, items_per_run: int, unit: str) -> Dict[str, float]:
        """Statistics of the runs and the throughput at the median.

        Args:
            items_per_run (int): Items (images, texts, boxes, steps) one run
                processes.
            unit (str): Name of the throughput key, e.g. ``'images_per_s'``.

        Returns:
            dict[str, float]: ``runs``, ``median_ms``, ``min_ms``,
            ``max_ms``, ``iqr_ms`` (75th minus 25th percentile), ``p50_ms``,
            ``p90_ms``, ``p99_ms`` and ``unit`` (``items_per_run /
            median``).
        """
        ms = [1e3 * s for s in self.seconds]
        stats = dict(
            runs=len(ms),
            median_ms=float(np.median(ms)),
            min_ms=min(ms),
            max_ms=max(ms),
            iqr_ms=float(np.percentile(ms, 75) - np.percentile(ms, 25)))
        stats.update({f'p{q}_ms': float(np.percentile(ms, q)) for q in PERCENTILES})
        stats[unit] = items_per_run / self.median
        return stats


def synchronize(device: torch.device) -> None:
    """Wait for queued CUDA work on ``device`` (no-op on the CPU)."""
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def measure(fn: Callable[[], object], *, warmup: int, runs: int,
            device: torch.device,
            timer: Callable[[], float] = time.perf_counter) -> Timing:
    """Call ``fn`` ``warmup`` times untimed, then ``runs`` times timed.

    On CUDA each timed run starts and ends with a device synchronisation,
    so it measures the work, not the kernel launches.

    Args:
        fn (Callable): The workload, called without arguments.
        warmup (int): Untimed calls first (allocator, caches, autotuning).
        runs (int): Timed calls, at least 1.
        device (torch.device): Device the workload runs on.
        timer (Callable[[], float]): Clock in seconds. Defaults to
            ``time.perf_counter``.

    Returns:
        Timing: The seconds of the timed calls.
    """
    if warmup < 0 or runs < 1:
        raise ValueError(f'need warmup >= 0 and runs >= 1, got warmup={warmup}, '
                         f'runs={runs}')
    for _ in range(warmup):
        fn()
    seconds = []
    for _ in range(runs):
        synchronize(device)
        start = timer()
        fn()
        synchronize(device)
        seconds.append(timer() - start)
    return Timing(seconds)


def _max_rss_mib() -> float:
    """Peak resident set size of this process so far (Linux: KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def peak_memory(device: torch.device) -> Iterator[Dict[str, float]]:
    """Record the peak memory of the code in the ``with`` block.

    CUDA: ``torch.cuda.max_memory_allocated`` after resetting the peak
    (``cuda_peak_allocated_mib``). CPU: the process's peak RSS from
    ``getrusage`` (``cpu_peak_rss_mib``) and how much the block raised it
    (``cpu_peak_rss_delta_mib``; 0 when the block stayed below an earlier
    peak, such as model construction).

    Yields:
        dict[str, float]: Filled when the block exits.
    """
    stats: Dict[str, float] = {}
    if device.type == 'cuda':
        synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
    before = _max_rss_mib()
    yield stats
    if device.type == 'cuda':
        synchronize(device)
        peak = torch.cuda.max_memory_allocated(device)
        stats['cuda_peak_allocated_mib'] = peak / _MIB
    else:
        after = _max_rss_mib()
        stats['cpu_peak_rss_mib'] = after
        stats['cpu_peak_rss_delta_mib'] = after - before
