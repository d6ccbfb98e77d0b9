"""Steps shared by the timm trunks open_clip wraps in a ``TimmModel``
(``Eva`` and ``VisionTransformer``: same patch, prefix and head attributes).

- :func:`timm_patch_tokens`: patch embedding, prefix tokens and the position
  table resampled to the input grid as timm's dynamic-size mode does, then
  ``norm_pre``.
- :func:`timm_blocks`: a slice of the blocks, with the trunk's gradient
  checkpointing.
- :func:`timm_global`: the CLIP image embedding from the final tokens
  (final norm, timm's pooling head, open_clip's projection head).
- :func:`timm_head_on_tokens`: the layers after pooling (``fc_norm``, timm's
  and open_clip's heads) applied to every token, for dense maps.
"""
from typing import Callable, Optional, Tuple

import torch
from torch import Tensor, nn
from torch.utils.checkpoint import checkpoint

Grid = Tuple[int, int]
PositionResize = Callable[[Tensor, Grid, Grid], Tensor]


def timm_patch_tokens(trunk: nn.Module, images: Tensor,
                      resize: PositionResize) -> Tuple[Tensor, Grid]:
    """Tokens entering the first block of a timm trunk, at any input size.

    Args:
        trunk (nn.Module): A timm ``Eva`` or ``VisionTransformer``.
        images (Tensor): ``(B, 3, H, W)``, normalised.
        resize (callable): ``resize(pos_embed, src_grid, dst_grid)``, e.g. an
            :class:`~fgclip_det.models.clip.vit_trunk.PosEmbedCache` of
            :func:`~fgclip_det.models.clip.eva_trunk.resample_eva_pos_embed`.

    Returns:
        tuple: Tokens ``(B, P + h * w, C)`` (``P`` prefix tokens first) and
        the patch grid ``(h, w)``.
    """
    embed = trunk.patch_embed
    x = embed.proj(images.to(embed.proj.weight.dtype))
    grid = (x.shape[-2], x.shape[-1])
    x = embed.norm(x.flatten(2).transpose(1, 2))
    pos = trunk.pos_embed
    if pos is not None:
        pos = resize(pos, tuple(embed.grid_size), grid).to(x.dtype)
    prefix = [token.expand(x.shape[0], -1, -1)
              for token in (trunk.cls_token, trunk.reg_token) if token is not None]
    if trunk.no_embed_class and pos is not None:
        x = x + pos
    x = torch.cat(prefix + [x], dim=1)
    if not trunk.no_embed_class and pos is not None:
        x = x + pos
    return trunk.norm_pre(trunk.pos_drop(x)), grid


def timm_blocks(trunk: nn.Module, x: Tensor, start: int = 0,
                stop: Optional[int] = None, **block_kwargs) -> Tensor:
    """Run blocks ``start .. stop - 1`` of a timm trunk.

    Gradient checkpointing follows ``trunk.grad_checkpointing``.

    Args:
        trunk (nn.Module): A timm ``Eva`` or ``VisionTransformer``.
        x (Tensor): ``(B, N, C)`` tokens entering block ``start``.
        start (int): First block. Defaults to 0.
        stop (int, optional): One past the last block. Defaults to None.
        **block_kwargs: Passed to every block (e.g. ``rope`` of ``Eva``).
    """
    for block in trunk.blocks[start:stop]:
        if trunk.grad_checkpointing and torch.is_grad_enabled():
            x = checkpoint(block, x, use_reentrant=False, **block_kwargs)
        else:
            x = block(x, **block_kwargs)
    return x


def timm_global(visual: nn.Module, x: Tensor) -> Tensor:
    """CLIP image embedding ``(B, D)`` from the ``(B, N, C)`` final tokens
    of an open_clip ``TimmModel``."""
    return visual.head(visual.trunk.forward_head(visual.trunk.norm(x)))


def timm_head_on_tokens(visual: nn.Module, x: Tensor) -> Tensor:
    """``fc_norm``, timm's head and open_clip's head on every token."""
    trunk = visual.trunk
    return visual.head(trunk.head(trunk.head_drop(trunk.fc_norm(x))))


def tokens_to_grid(x: Tensor, num_prefix: int, grid: Grid) -> Tensor:
    """``(B, P + h * w, D)`` tokens as a ``(B, D, h, w)`` map, prefix dropped."""
    x = x[:, num_prefix:]
    return x.transpose(1, 2).unflatten(-1, tuple(grid)).contiguous()
