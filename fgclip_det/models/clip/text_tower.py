"""The CLIP text tower at two lengths: 77-token short and 248-token long text.

FG-CLIP (and Long-CLIP before it) reads long captions with one transformer
and a stretched position table: the first 20 positions are kept, each of the
remaining 57 becomes 4 positions linearly interpolated towards its successor
(the last one extrapolated along the final difference), 20 + 4 * 57 = 248.
"""
from typing import Optional, Union

import torch
from open_clip.transformer import text_global_pool
from torch import Tensor, nn

from .constants import LONG_KEEP_POSITIONS, LONG_STRETCH_FACTOR

Projection = Union[Tensor, nn.Linear, None]


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


def causal_mask(length: int, device: torch.device, dtype: torch.dtype) -> Tensor:
    """Additive causal attention mask ``(length, length)``: -inf above the diagonal."""
    mask = torch.full((length, length), float('-inf'), device=device, dtype=dtype)
    return mask.triu_(1)


def padding_mask(attention_mask: Tensor, heads: int, dtype: torch.dtype) -> Tensor:
    """Additive ``(B * heads, L, L)`` mask hiding the keys where
    ``attention_mask`` (``(B, L)``) is 0 (``finfo.min``, as transformers)."""
    keys = attention_mask.bool()[:, None, :].expand(-1, attention_mask.shape[1], -1)
    additive = torch.zeros(keys.shape, dtype=dtype, device=attention_mask.device)
    additive.masked_fill_(~keys, torch.finfo(dtype).min)
    return additive.repeat_interleave(heads, dim=0)


def project(x: Tensor, projection: Projection) -> Tensor:
    """Apply an open_clip text projection (a matrix, an ``nn.Linear`` or none)."""
    if projection is None:
        return x
    if isinstance(projection, nn.Linear):
        return projection(x)
    return x @ projection


def encode_text_tokens(tower: nn.Module, tokens: Tensor, position_table: Tensor,
                       projection: Projection,
                       pool_type: str = 'argmax',
                       eos_id: Optional[int] = None,
                       causal: bool = True,
                       attention_mask: Optional[Tensor] = None) -> Tensor:
    """Run the CLIP text transformer with a given position table and projection.

    Args:
        tower (nn.Module): Holds the open_clip text parts ``token_embedding``,
            ``transformer`` and ``ln_final`` (an open_clip ``CLIP`` or a
            ``TextTransformer``).
        tokens (Tensor): ``(B, L)`` token ids, ``L <= len(position_table)``.
        position_table (Tensor): ``(L_max, C)`` position embeddings.
        projection (Tensor | nn.Linear | None): ``(C, D)`` text projection.
        pool_type (str): open_clip pooling; ``'argmax'`` takes the first
            end-of-text token of the OpenAI vocabulary. Defaults to 'argmax'.
        eos_id (int, optional): End-of-text id for ``pool_type='eos'``.
        causal (bool): Causal attention (CLIP); False for bidirectional
            towers (SigLIP). Defaults to True.
        attention_mask (Tensor, optional): ``(B, L)``, 1 for tokens that may
            be attended to, 0 for padding hidden as keys. Defaults to None.

    Returns:
        Tensor: ``(B, D)`` text embeddings, not normalised.
    """
    length = tokens.shape[1]
    if length > position_table.shape[0]:
        raise ValueError(f'{length} tokens do not fit a position table of '
                         f'{position_table.shape[0]}')
    cast_dtype = tower.transformer.get_cast_dtype()
    x = tower.token_embedding(tokens).to(cast_dtype)
    x = x + position_table[:length].to(cast_dtype)
    mask = causal_mask(length, x.device, x.dtype) if causal else None
    if attention_mask is not None:
        padding = padding_mask(attention_mask, tower.transformer.resblocks[0]
                               .attn.num_heads, x.dtype)
        mask = padding if mask is None else mask + padding
    x = tower.transformer(x, attn_mask=mask)
    x = tower.ln_final(x)
    x = text_global_pool(x, tokens, pool_type, eos_token_id=eos_id)
    return project(x, projection)
