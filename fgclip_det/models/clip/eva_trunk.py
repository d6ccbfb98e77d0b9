"""Reusable pieces of an open_clip EVA tower forward (timm ``Eva`` trunk).

open_clip builds its EVA towers (``EVA02-B-16``, ``EVA02-L-14``, ...) as a
``TimmModel``: a timm ``Eva`` trunk plus an (often empty) projection head.
These functions run timm's own modules at any input size and expose the
tokens entering the last block, like :mod:`.vit_trunk` does for open_clip
ViTs:

- :func:`eva_embed`: patch embedding, prefix tokens, position table resized
  to the input grid and RoPE built for it, both as timm's dynamic-size mode
  does and cached per grid by :class:`EvaGridCache`; ``norm_pre``.
- :func:`eva_blocks`: run a slice of the blocks with that RoPE.
- :func:`eva_value_path_block` / :func:`eva_dense`: the last block with its
  attention replaced by the value path (RoPE only touches q and k, so it
  drops out), then the final norm and head on every token.
"""
import copy
from collections import OrderedDict
from typing import List, Optional, Tuple

import torch.nn.functional as F
from open_clip.timm_model import TimmModel
from timm.layers import resample_abs_pos_embed
from timm.models.eva import Eva, EvaAttention, EvaBlockPostNorm
from torch import Tensor, nn

from .timm_trunk import (
    timm_blocks,
    timm_head_on_tokens,
    timm_patch_tokens,
    tokens_to_grid,
)
from .vit_trunk import Grid, PosEmbedCache


def is_eva_tower(visual: nn.Module) -> bool:
    """Whether ``visual`` is an open_clip ``TimmModel`` with a timm ``Eva``."""
    return isinstance(visual, TimmModel) and isinstance(visual.trunk, Eva)


def eva_problems(visual: nn.Module) -> List[str]:
    """Why ``visual`` is not an EVA tower these helpers support (if so).

    Supported: class-token pooling, no patch dropout, per-grid (not mixed or
    augmented) RoPE, ungated ``EvaAttention`` in pre- or post-norm blocks and
    a head without pooling (every open_clip ``EVA01`` / ``EVA02`` tower).

    Returns:
        list[str]: Empty when supported, else one entry per problem.
    """
    if not is_eva_tower(visual):
        return [f'a {type(visual).__name__} is not an open_clip TimmModel '
                'with a timm Eva trunk']
    trunk, problems = visual.trunk, []
    if trunk.global_pool != 'token' or trunk.attn_pool is not None:
        problems.append(f'global_pool={trunk.global_pool!r}')
    if trunk.patch_drop is not None:
        problems.append('patch dropout')
    if getattr(trunk, 'rope_mixed', False) or getattr(trunk.rope, 'aug_active', False):
        problems.append('mixed or augmented RoPE')
    if any(not isinstance(block.attn, EvaAttention) or block.attn.gate is not None
           for block in trunk.blocks):
        problems.append('attention other than ungated EvaAttention')
    if hasattr(visual.head, 'pool'):
        problems.append('attention-pool head')
    return problems


def resample_eva_pos_embed(pos_embed: Tensor, src_grid: Grid,
                           dst_grid: Grid) -> Tensor:
    """timm's resampling of an ``Eva.pos_embed`` to another patch grid.

    Args:
        pos_embed (Tensor): ``(1, P + src_h * src_w, C)``, ``P`` prefix
            positions first (0 for ``no_embed_class``).
        src_grid (tuple[int, int]): Grid the table was learnt for.
        dst_grid (tuple[int, int]): Grid wanted.

    Returns:
        Tensor: ``(1, P + dst_h * dst_w, C)`` (bicubic, antialiased).
    """
    num_prefix = pos_embed.shape[1] - src_grid[0] * src_grid[1]
    return resample_abs_pos_embed(pos_embed, new_size=list(dst_grid),
                                  old_size=list(src_grid),
                                  num_prefix_tokens=num_prefix)


class EvaGridCache:
    """Position tables and RoPE embeddings of an Eva trunk, per patch grid.

    Position tables follow :class:`PosEmbedCache` (invalidated by in-place
    updates, uncached while autograd needs them). RoPE embeddings are
    buffers computed from the configuration, so they are kept per grid.

    Args:
        max_entries (int): Grid sizes kept of each. Defaults to 8.
    """

    def __init__(self, max_entries: int = 8) -> None:
        self.max_entries = max_entries
        self.pos_embed = PosEmbedCache(max_entries, resample_eva_pos_embed)
        self._ropes: OrderedDict[tuple, Tensor] = OrderedDict()

    def rope(self, rope: nn.Module, grid: Grid) -> Tensor:
        """RoPE embedding ``(h * w, E)`` of timm's ``rope`` for ``grid``."""
        feat_shape = getattr(rope, 'feat_shape', None)
        if feat_shape is None:  # built per shape, as timm's dynamic mode does
            return rope.get_embed(shape=list(grid))
        if tuple(feat_shape) == tuple(grid):
            return rope.get_embed()
        key = (id(rope), tuple(grid))
        embed = self._ropes.pop(key, None)
        if embed is None:
            resized = copy.deepcopy(rope)
            resized.update_feat_shape(list(grid))
            embed = resized.get_embed()
        self._ropes[key] = embed
        while len(self._ropes) > self.max_entries:
            self._ropes.popitem(last=False)
        return embed

    def clear(self) -> None:
        """Drop every cached table and embedding."""
        self.pos_embed.clear()
        self._ropes.clear()


def eva_embed(visual: TimmModel, images: Tensor, cache: EvaGridCache
              ) -> Tuple[Tensor, Optional[Tensor], Grid]:
    """Tokens entering the first block, at any input size.

    Args:
        visual (TimmModel): The open_clip EVA tower.
        images (Tensor): ``(B, 3, H, W)``, normalised.
        cache (EvaGridCache): Resized tables and RoPE embeddings.

    Returns:
        tuple: Tokens ``(B, P + h * w, C)`` (``P`` prefix tokens first), the
        RoPE embedding ``(h * w, E)`` or None, and the patch grid ``(h, w)``.
    """
    trunk = visual.trunk
    x, grid = timm_patch_tokens(trunk, images, cache.pos_embed)
    rope = None if trunk.rope is None else cache.rope(trunk.rope, grid).to(x.device)
    return x, rope, grid


def eva_blocks(visual: TimmModel, x: Tensor, rope: Optional[Tensor],
               start: int = 0, stop: Optional[int] = None) -> Tensor:
    """Run blocks ``start .. stop - 1`` (trunk's gradient checkpointing).

    Args:
        visual (TimmModel): The open_clip EVA tower.
        x (Tensor): ``(B, N, C)`` tokens entering block ``start``.
        rope (Tensor, optional): ``(h * w, E)`` from :func:`eva_embed`.
        start (int): First block. Defaults to 0.
        stop (int, optional): One past the last block. Defaults to None.

    Returns:
        Tensor: ``(B, N, C)`` tokens after block ``stop - 1``.
    """
    return timm_blocks(visual.trunk, x, start, stop, rope=rope)


def _value_attention(attn: EvaAttention, x: Tensor) -> Tensor:
    """``EvaAttention`` with softmax(QK^T) replaced by the identity."""
    if attn.qkv is None:
        value = attn.v_proj(x)
    else:
        dim = attn.num_heads * attn.head_dim
        value = F.linear(x, attn.qkv.weight[2 * dim:], attn.v_bias)
    return attn.proj_drop(attn.proj(attn.norm(value)))


def eva_value_path_block(block: nn.Module, x: Tensor) -> Tensor:
    """An Eva block with its attention replaced by the value path.

    Each token attends only to itself; layer scales, drop paths, residuals
    and the MLP branch are timm's.

    Args:
        block (nn.Module): A timm ``EvaBlock`` or ``EvaBlockPostNorm``.
        x (Tensor): ``(B, N, C)`` tokens entering the block.

    Returns:
        Tensor: ``(B, N, C)``.
    """
    if isinstance(block, EvaBlockPostNorm):
        x = x + block.drop_path1(block.norm1(_value_attention(block.attn, x)))
        return x + block.drop_path2(block.norm2(block.mlp(x)))
    x_attn = _value_attention(block.attn, block.norm1(x))
    if block.gamma_1 is not None:
        x_attn = block.gamma_1 * x_attn
    x = x + block.drop_path1(x_attn)
    x_mlp = block.mlp(block.norm2(x))
    if block.gamma_2 is not None:
        x_mlp = block.gamma_2 * x_mlp
    return x + block.drop_path2(x_mlp)


def eva_dense(visual: TimmModel, x: Tensor, grid: Grid) -> Tensor:
    """Dense CLIP embeddings from the tokens entering the last block.

    Args:
        visual (TimmModel): The open_clip EVA tower.
        x (Tensor): ``(B, P + h * w, C)`` input of the last block.
        grid (tuple[int, int]): Patch grid ``(h, w)``.

    Returns:
        Tensor: ``(B, D, h, w)``: final norm, ``fc_norm`` and both heads on
        every patch token; not normalised.
    """
    return eva_project_dense(
        visual, eva_value_path_block(visual.trunk.blocks[-1], x), grid)


def eva_project_dense(visual: TimmModel, x: Tensor, grid: Grid) -> Tensor:
    """Final norm, ``fc_norm`` and both heads on every patch token.

    Args:
        visual (TimmModel): The open_clip EVA tower.
        x (Tensor): ``(B, P + h * w, C)`` output of the value-path last block.
        grid (tuple[int, int]): Patch grid ``(h, w)``.

    Returns:
        Tensor: ``(B, D, h, w)``, not normalised.
    """
    x = timm_head_on_tokens(visual, visual.trunk.norm(x))
    return tokens_to_grid(x, visual.trunk.num_prefix_tokens, grid)
