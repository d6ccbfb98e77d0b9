"""All-gather features across ranks while keeping their gradients."""
from typing import List, Tuple

import torch
import torch.distributed as dist
from torch import Tensor


def _is_distributed() -> bool:
    return dist.is_available() and dist.is_initialized() and (
        dist.get_world_size() > 1)


def _gather_row_counts(features: Tensor) -> List[int]:
    count = torch.tensor([features.shape[0]], device=features.device)
    counts = [torch.zeros_like(count) for _ in range(dist.get_world_size())]
    dist.all_gather(counts, count)
    return [int(c.item()) for c in counts]


class _AllGatherWithGrad(torch.autograd.Function):
    """Concatenate every rank's rows; backward sums the gradients of all ranks.

    Rows are padded to the largest count for the collective and the padding
    is dropped again, so ranks may hold different numbers of rows.
    """

    @staticmethod
    def forward(ctx, features: Tensor, sizes: List[int]) -> Tensor:
        padded = features.new_zeros((max(sizes), *features.shape[1:]))
        padded[:features.shape[0]] = features
        chunks = [torch.empty_like(padded) for _ in sizes]
        dist.all_gather(chunks, padded)
        rank = dist.get_rank()
        ctx.start = sum(sizes[:rank])
        ctx.stop = ctx.start + sizes[rank]
        return torch.cat([c[:n] for c, n in zip(chunks, sizes)], dim=0)

    @staticmethod
    def backward(ctx, grad_output: Tensor) -> Tuple[Tensor, None]:
        grad = grad_output.contiguous().clone()
        dist.all_reduce(grad, op=dist.ReduceOp.SUM)
        return grad[ctx.start:ctx.stop], None


def gather_with_grad(features: Tensor) -> Tuple[Tensor, int]:
    """Gather ``features`` from all ranks, differentiably.

    Every rank receives the rows of all ranks in rank order. The backward
    pass sums the gradients that all ranks computed for the gathered tensor
    before returning the local slice. So when each rank computes a loss over
    its local rows against the gathered ones, the local features receive
    ``world_size`` times the gradient of the mean of the ranks' losses; DDP
    then averages parameter gradients over ranks, which makes them equal to
    those of one process running the whole batch (exactly so when all ranks
    hold the same number of rows). Every rank must run the backward pass.

    Outside a distributed run (or with one rank) this is the identity.

    Args:
        features (Tensor): Local rows, shape ``(n, ...)``; ``n`` may differ
            between ranks and may be 0.

    Returns:
        tuple[Tensor, int]: The gathered rows, shape ``(sum_r n_r, ...)``,
        and the offset of this rank's rows in them (the row count of lower
        ranks), e.g. for contrastive targets ``arange(n) + offset``.
    """
    if not _is_distributed():
        return features, 0
    sizes = _gather_row_counts(features)
    gathered = _AllGatherWithGrad.apply(features, sizes)
    return gathered, sum(sizes[:dist.get_rank()])
