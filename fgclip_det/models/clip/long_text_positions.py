"""The stretched position table of the long-text path (248 tokens).

FG-CLIP (and Long-CLIP before it) reads long captions with one transformer
and a stretched position table: the first 20 positions are kept, each of the
remaining 57 becomes 4 positions linearly interpolated towards its successor
(the last one extrapolated along the final difference), 20 + 4 * 57 = 248.
"""
import torch
from torch import Tensor

from .constants import LONG_KEEP_POSITIONS, LONG_STRETCH_FACTOR


def stretch_position_table(table: Tensor, keep: int = LONG_KEEP_POSITIONS,
                           factor: int = LONG_STRETCH_FACTOR) -> Tensor:
    """Stretch a text position table for long captions.

    Position ``keep + factor * i + k`` of the result (``0 <= k < factor``) is
    ``table[keep + i] + k / factor * (table[keep + i + 1] - table[keep + i])``;
    the last source position reuses the previous difference.

    Args:
        table (Tensor): ``(L, C)`` short table, e.g. ``L = 77``.
        keep (int): Leading positions copied unchanged. Defaults to 20.
        factor (int): Stretch factor of the rest. Defaults to 4.

    Returns:
        Tensor: ``(keep + factor * (L - keep), C)``, e.g. ``(248, C)``.
    """
    if not 1 < table.shape[0] - keep:
        raise ValueError(f'cannot keep {keep} of {table.shape[0]} positions '
                         'and stretch the rest')
    head, tail = table[:keep], table[keep:]
    steps = tail[1:] - tail[:-1]
    steps = torch.cat([steps, steps[-1:]], dim=0)
    frac = torch.arange(factor, dtype=table.dtype, device=table.device) / factor
    stretched = tail[:, None] + frac[None, :, None] * steps[:, None]
    return torch.cat([head, stretched.flatten(0, 1)], dim=0)
