"""Run a function in several gloo processes on 127.0.0.1 and collect what
each rank returns, for tests of what a distributed step computes."""
from pathlib import Path
from typing import Any, Callable, List

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F
from torch import Tensor

from .http_server import free_port

RankFn = Callable[..., dict]


def _run_rank(rank: int, fn: RankFn, port: int, world_size: int,
              out_dir: Path, args: tuple) -> None:
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}',
                            rank=rank, world_size=world_size)
    try:
        torch.save(fn(rank, *args), out_dir / f'rank{rank}.pt')
    finally:
        dist.destroy_process_group()


def run_gloo_ranks(fn: RankFn, world_size: int, out_dir: Path,
                   *args: Any) -> List[dict]:
    """``fn(rank, *args)`` in ``world_size`` spawned processes of one gloo
    group.

    Args:
        fn (Callable[..., dict]): A module-level function (spawned processes
            import it by name) returning tensors, numbers and lists that
            ``torch.load`` reads back with ``weights_only``.
        world_size (int): The number of processes.
        out_dir (Path): Where each rank's result is written
            (``rank{r}.pt``).
        *args: More arguments of ``fn``, picklable.

    Returns:
        list[dict]: What each rank returned, in rank order.
    """
    mp.spawn(_run_rank,
             args=(fn, free_port(), world_size, Path(out_dir), args),
             nprocs=world_size, join=True)
    return [torch.load(Path(out_dir) / f'rank{rank}.pt', weights_only=True)
            for rank in range(world_size)]


def unit_features(*shape: int, dim: int, seed: int = 0) -> Tensor:
    """Seeded random L2-normalised float64 features ``(*shape, dim)`` that
    require gradients."""
    gen = torch.Generator().manual_seed(seed)
    feats = F.normalize(torch.randn(*shape, dim, generator=gen), dim=-1)
    return feats.double().requires_grad_()
