"""The CLIP text-tower forward with a chosen position table and projection.

One transformer reads short (77-token) and long (248-token) captions: the
long path passes the stretched table of :mod:`.long_text_positions`.
"""
from typing import Optional, Union

import torch
from open_clip.transformer import text_global_pool
from torch import Tensor, nn

Projection = Union[Tensor, nn.Linear, None]


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
