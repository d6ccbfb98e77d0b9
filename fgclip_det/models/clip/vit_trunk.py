"""Reusable pieces of an open_clip ``VisionTransformer`` forward.

The FG-CLIP image encoder and the F-ViT detector backbone both run the CLIP
ViT at sizes other than the pretrained one and need tokens from inside the
tower. These functions expose those steps on open_clip's own modules without
changing them:

- :func:`vit_embed`: patch embedding, class token, position embedding resized
  to the input grid (bicubic, cached by :class:`PosEmbedCache`), ``ln_pre``.
- :func:`vit_blocks`: run a slice of the residual blocks, honouring the
  tower's gradient-checkpointing switch.
- :func:`vit_global`: the CLIP image embedding from the final tokens.
- :func:`value_path_block` / :func:`vit_dense`: the last block with its
  attention replaced by the value path (v-proj then out-proj; residuals and
  MLP kept), then ``ln_post`` and the projection: a dense map of CLIP
  embeddings (FG-CLIP, CLIPSelf, F-ViT).
- :func:`tokens_to_map`: drop the class token, reshape to ``(B, C, H, W)``.
"""
from collections import OrderedDict
from typing import Callable, List, Optional, Tuple

import torch
import torch.nn.functional as F
from open_clip.transformer import (
    CustomResidualAttentionBlock,
    ResidualAttentionBlock,
    VisionTransformer,
)
from torch import Tensor, nn
from torch.utils.checkpoint import checkpoint

Grid = Tuple[int, int]
Resize = Callable[[Tensor, Grid, Grid], Tensor]


def vit_problems(visual: nn.Module) -> List[str]:
    """Why ``visual`` is not an open_clip ViT these helpers support (if so).

    Supported: an open_clip ``VisionTransformer`` with class-token pooling,
    no attentional pooler and no patch dropout (every OpenAI / LAION /
    DataComp CLIP ViT).

    Returns:
        list[str]: Empty when supported, else one entry per problem.
    """
    if not isinstance(visual, VisionTransformer):
        return [f'a {type(visual).__name__} is not an open_clip VisionTransformer']
    problems = []
    if visual.attn_pool is not None:
        problems.append('attentional pooler')
    if visual.pool_type != 'tok' or visual.final_ln_after_pool:
        problems.append(f'pool_type={visual.pool_type!r}')
    if not isinstance(visual.patch_dropout, nn.Identity):
        problems.append('patch dropout')
    return problems


def resize_pos_embed(pos_embed: Tensor, src_grid: Grid, dst_grid: Grid) -> Tensor:
    """Resize a ViT position table to another patch grid (bicubic).

    Args:
        pos_embed (Tensor): ``(1 + src_h * src_w, C)``, class token first.
        src_grid (tuple[int, int]): Grid ``(h, w)`` the table was learnt for.
        dst_grid (tuple[int, int]): Grid ``(h, w)`` wanted.

    Returns:
        Tensor: ``(1 + dst_h * dst_w, C)``; the class position is kept.
    """
    if tuple(src_grid) == tuple(dst_grid):
        return pos_embed
    cls_pos, grid_pos = pos_embed[:1], pos_embed[1:]
    channels = pos_embed.shape[-1]
    grid_pos = grid_pos.reshape(1, *src_grid, channels).permute(0, 3, 1, 2)
    grid_pos = F.interpolate(
        grid_pos.float(), size=tuple(dst_grid), mode='bicubic',
        align_corners=False).to(pos_embed.dtype)
    grid_pos = grid_pos.permute(0, 2, 3, 1).reshape(-1, channels)
    return torch.cat([cls_pos, grid_pos], dim=0)


class PosEmbedCache:
    """Resized position tables, cached per grid size.

    A cached table is reused while the source parameter is unchanged (same
    storage, device, dtype and in-place version counter), so optimiser steps
    and checkpoint loads invalidate it. When autograd needs a graph through
    the table (grad enabled and the table requires grad) nothing is cached.

    Args:
        max_entries (int): Grid sizes kept, least recently used dropped.
            Defaults to 8.
        resize (callable): ``resize(table, src_grid, dst_grid)``. Defaults
            to :func:`resize_pos_embed`.
    """

    def __init__(self, max_entries: int = 8,
                 resize: Resize = resize_pos_embed) -> None:
        self.max_entries = max_entries
        self.resize = resize
        self._tables: OrderedDict[tuple, Tensor] = OrderedDict()

    def __call__(self, pos_embed: Tensor, src_grid: Grid, dst_grid: Grid) -> Tensor:
        """Return ``pos_embed`` resized from ``src_grid`` to ``dst_grid``."""
        if tuple(src_grid) == tuple(dst_grid):
            return pos_embed
        if torch.is_grad_enabled() and pos_embed.requires_grad:
            return self.resize(pos_embed, src_grid, dst_grid)
        key = (tuple(dst_grid), pos_embed.data_ptr(), pos_embed._version,
               pos_embed.device, pos_embed.dtype)
        table = self._tables.pop(key, None)
        if table is None:
            with torch.no_grad():
                table = self.resize(pos_embed, src_grid, dst_grid)
        self._tables[key] = table
        while len(self._tables) > self.max_entries:
            self._tables.popitem(last=False)
        return table

    def clear(self) -> None:
        """Drop every cached table."""
        self._tables.clear()


def vit_embed(visual: VisionTransformer, images: Tensor,
              pos_cache: Optional[PosEmbedCache] = None) -> Tuple[Tensor, Grid]:
    """Tokens entering the first block, at any input size.

    Args:
        visual (VisionTransformer): The open_clip tower.
        images (Tensor): ``(B, 3, H, W)``, normalised.
        pos_cache (PosEmbedCache, optional): Cache for resized position
            tables. Defaults to None (resize on every call).

    Returns:
        tuple[Tensor, tuple[int, int]]: Tokens ``(B, 1 + h * w, C)`` (class
        token first) and the patch grid ``(h, w)``.
    """
    x = visual.conv1(images.to(visual.conv1.weight.dtype))
    grid = (x.shape[-2], x.shape[-1])
    x = x.flatten(2).transpose(1, 2)
    cls_token = visual.class_embedding.to(x.dtype).expand(x.shape[0], 1, -1)
    x = torch.cat([cls_token, x], dim=1)
    resize = pos_cache or resize_pos_embed
    pos = resize(visual.positional_embedding, visual.grid_size, grid)
    x = x + pos.to(x.dtype)
    return visual.ln_pre(x), grid


def vit_blocks(visual: VisionTransformer, x: Tensor, start: int = 0,
               stop: Optional[int] = None) -> Tensor:
    """Run residual blocks ``start .. stop - 1`` of the tower.

    Gradient checkpointing follows ``visual.set_grad_checkpointing``.

    Args:
        visual (VisionTransformer): The open_clip tower.
        x (Tensor): ``(B, N, C)`` tokens entering block ``start``.
        start (int): First block. Defaults to 0.
        stop (int, optional): One past the last block. Defaults to None
            (all remaining blocks).

    Returns:
        Tensor: ``(B, N, C)`` tokens after block ``stop - 1``.
    """
    transformer = visual.transformer
    for block in transformer.resblocks[start:stop]:
        if transformer.grad_checkpointing and torch.is_grad_enabled():
            x = checkpoint(block, x, use_reentrant=False)
        else:
            x = block(x)
    return x


def vit_global(visual: VisionTransformer, x: Tensor) -> Tensor:
    """CLIP image embedding from the final tokens.

    Args:
        visual (VisionTransformer): The open_clip tower.
        x (Tensor): ``(B, N, C)`` tokens after the last block.

    Returns:
        Tensor: ``(B, D)``, ``ln_post`` of the class token times ``proj``.
    """
    return visual.ln_post(x[:, 0]) @ visual.proj


def _value_attention(block: nn.Module, x: Tensor) -> Tensor:
    """The attention branch with softmax(QK^T) replaced by the identity."""
    attn = block.attn
    dim = x.shape[-1]
    bias = None if attn.in_proj_bias is None else attn.in_proj_bias[2 * dim:]
    value = F.linear(x, attn.in_proj_weight[2 * dim:], bias)
    if isinstance(attn, nn.MultiheadAttention):
        return attn.out_proj(value)
    # open_clip's own Attention (CustomResidualAttentionBlock)
    if attn.head_scale is not None:
        heads = value.unflatten(-1, (attn.num_heads, -1))
        value = (heads * attn.head_scale.squeeze(-1)).flatten(-2)
    return attn.out_drop(attn.out_proj(attn.ln_inner(value)))


def value_path_block(block: nn.Module, x: Tensor) -> Tensor:
    """A residual block with its attention replaced by the value path.

    Each token attends only to itself: ``x + out_proj(v_proj(ln_1(x)))``,
    then the MLP branch unchanged. Layer scales and the extra norms of
    open_clip's custom block are kept.

    Args:
        block (nn.Module): An open_clip ``ResidualAttentionBlock`` or
            ``CustomResidualAttentionBlock``.
        x (Tensor): ``(B, N, C)`` tokens entering the block.

    Returns:
        Tensor: ``(B, N, C)``.
    """
    if isinstance(block, ResidualAttentionBlock):
        x = x + block.ls_1(_value_attention(block, block.ln_1(x)))
    elif isinstance(block, CustomResidualAttentionBlock):
        x = x + block.ls_1(block.ln_attn(_value_attention(block, block.ln_1(x))))
    else:
        raise ValueError(f'no value path for a {type(block).__name__}')
    return x + block.ls_2(block.mlp(block.ln_2(x)))


def tokens_to_map(x: Tensor, grid: Grid) -> Tensor:
    """Drop the class token and reshape to a feature map.

    Args:
        x (Tensor): ``(B, 1 + h * w, C)``.
        grid (tuple[int, int]): ``(h, w)``.

    Returns:
        Tensor: ``(B, C, h, w)``.
    """
    return x[:, 1:].transpose(1, 2).unflatten(-1, tuple(grid)).contiguous()


def vit_dense(visual: VisionTransformer, x: Tensor, grid: Grid) -> Tensor:
    """Dense CLIP embeddings from the tokens entering the last block.

    Args:
        visual (VisionTransformer): The open_clip tower.
        x (Tensor): ``(B, 1 + h * w, C)`` input of the last block.
        grid (tuple[int, int]): Patch grid ``(h, w)``.

    Returns:
        Tensor: ``(B, D, h, w)``, projected, not normalised.
    """
    return vit_project_dense(
        visual, value_path_block(visual.transformer.resblocks[-1], x), grid)


def vit_project_dense(visual: VisionTransformer, x: Tensor, grid: Grid) -> Tensor:
    """``ln_post`` and ``proj`` on every patch token, as a ``(B, D, h, w)`` map.

    Args:
        visual (VisionTransformer): The open_clip tower.
        x (Tensor): ``(B, 1 + h * w, C)`` output of the value-path last block.
        grid (tuple[int, int]): Patch grid ``(h, w)``.
    """
    return tokens_to_map(visual.ln_post(x) @ visual.proj, grid)
