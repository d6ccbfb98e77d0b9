"""FLOPs of a workload against the measured matmul peak of the same device.

A speed claim is easier to trust next to what the hardware can do: the
achieved GFLOP/s of a workload (matmul, convolution and attention FLOPs,
counted by ``torch.utils.flop_counter.FlopCounterMode``, forward and
backward) divided by the GFLOP/s of one large square ``torch.mm`` in the same
dtype on the same device and threads.
"""
from typing import Callable, Dict

import torch
from torch.utils.flop_counter import FlopCounterMode

from .timing import measure

#: Side of the square matrices of :func:`matmul_peak_gflops`.
PEAK_MATMUL_SIDE = 2048


def count_flops(fn: Callable[[], object]) -> int:
    """FLOPs that ``fn`` runs (its forward and any backward it calls)."""
    with FlopCounterMode(display=False) as counter:
        fn()
    return counter.get_total_flops()


def matmul_peak_gflops(device: torch.device, dtype: torch.dtype = torch.float32,
                       side: int = PEAK_MATMUL_SIDE, runs: int = 10) -> float:
    """GFLOP/s of a ``side x side`` matmul: the fastest of ``runs`` after one
    warm-up (a peak, so the best run; the median moved 90-145 GFLOP/s on a
    2-core machine with 5 runs)."""
    generator = torch.Generator(device=device).manual_seed(0)
    a, b = (torch.randn(side, side, device=device, dtype=dtype, generator=generator)
            for _ in range(2))
    timing = measure(lambda: a @ b, warmup=1, runs=runs, device=device)
    return 2 * side ** 3 / min(timing.seconds) / 1e9


def efficiency(flops: int, seconds: float, peak_gflops: float) -> Dict[str, float]:
    """``gflop``, achieved ``gflops_per_s`` and ``fraction_of_peak``."""
    achieved = flops / seconds / 1e9 if seconds > 0 else 0.0
    return dict(gflop=flops / 1e9, gflops_per_s=achieved,
                fraction_of_peak=achieved / peak_gflops)
