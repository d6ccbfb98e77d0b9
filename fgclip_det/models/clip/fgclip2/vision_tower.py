"""FG-CLIP 2's image tower: a timm NaFlex ViT with two attention-pool heads.

The trunk is timm's ``NaFlexVit`` (SigLIP 2 NaFlex: Linear patch embedding
of pre-patchified input, a learned position grid resized per image with
bilinear antialiased interpolation, pre-LN blocks, final LayerNorm, a MAP
head). FG-CLIP 2 adds ``dense_head``, a second MAP-structured head run
without its probe: every token queries all tokens (``get_image_dense_feature``
of the public code, ``modeling_fgclip2.py``:1241-1287).
"""
from functools import partial
from typing import List, Optional, Tuple

import torch
from timm.layers import AttentionPoolLatent, LayerNorm, get_act_layer
from timm.models.naflexvit import NaFlexVit, NaFlexVitCfg
from torch import Tensor, nn

from fgclip_det.structures import NaFlexBatch

from ..trunks.timm_siglip import map_head_dense
from .arch import mlp_ratio

Grid = Tuple[int, int]


def key_padding_mask(mask: Optional[Tensor], dtype: torch.dtype) -> Optional[Tensor]:
    """Additive ``(B, 1, 1, N)`` mask hiding padded keys (``finfo.min``), as
    transformers' ``_prepare_4d_attention_mask``; None without padding."""
    if mask is None:
        return None
    additive = torch.zeros(mask.shape, dtype=dtype, device=mask.device)
    return additive.masked_fill_(~mask, torch.finfo(dtype).min)[:, None, None]


class FGCLIP2VisionTower(nn.Module):
    """NaFlex trunk (``trunk``) plus the dense-feature head (``dense_head``).

    Args:
        width (int): Token width (also the embedding width).
        layers (int): Number of blocks.
        heads (int): Attention heads (blocks and both heads).
        mlp_dim (int): MLP hidden width.
        patch_size (int): Patch side in pixels.
        pos_grid (int): Side of the learned position grid.
        eps (float): LayerNorm epsilon.
        gelu_tanh (bool): Tanh-approximated GELU (SigLIP's).
    """

    def __init__(self, width: int, layers: int, heads: int, mlp_dim: int,
                 patch_size: int, pos_grid: int, eps: float = 1e-6,
                 gelu_tanh: bool = True) -> None:
        super().__init__()
        act = 'gelu_tanh' if gelu_tanh else 'gelu'
        ratio = mlp_ratio(width, mlp_dim)
        cfg = NaFlexVitCfg(
            patch_size=patch_size, embed_dim=width, depth=layers, num_heads=heads,
            mlp_ratio=ratio, act_layer=act, global_pool='map',
            pos_embed_grid_size=(pos_grid, pos_grid),
            pos_embed_interp_mode='bilinear', pos_embed_antialias=True,
            pos_embed_align_corners=False, embed_proj_type='linear')
        self.trunk = NaFlexVit(cfg, num_classes=0)
        for module in self.trunk.modules():
            if isinstance(module, nn.LayerNorm):
                module.eps = eps
        self.dense_head = AttentionPoolLatent(
            width, num_heads=heads, mlp_ratio=ratio,
            norm_layer=partial(LayerNorm, eps=eps), act_layer=get_act_layer(act))
        self.patch_size = patch_size

    @property
    def width(self) -> int:
        return self.trunk.embed_dim

    @property
    def num_blocks(self) -> int:
        return len(self.trunk.blocks)

    # ----------------------------------------------------------------- steps
    def embed(self, images) -> Tuple[Tensor, Optional[Tensor], List[Grid]]:
        """Tokens entering the first block.

        Args:
            images (Tensor | NaFlexBatch): ``(B, 3, H, W)`` normalised images
                (one grid ``(H / p, W / p)``, no padding) or a NaFlex batch.

        Returns:
            tuple: tokens ``(B, N, C)``, the additive key mask (None without
            padding) and the grid of each image.
        """
        if isinstance(images, NaFlexBatch):
            x, _ = self.trunk.embeds(images.patches,
                                     patch_coord=images.patch_coord(),
                                     patch_valid=images.mask)
            padded = not bool(images.mask.all())
            mask = key_padding_mask(images.mask, x.dtype) if padded else None
            return x, mask, images.grids()
        patch = self.patch_size
        if images.ndim != 4 or images.shape[-2] % patch or images.shape[-1] % patch:
            raise ValueError(f'images must be (B, 3, H, W) with H and W multiples '
                             f'of the patch size {patch}, got {tuple(images.shape)}')
        x, grid = self.trunk.embeds(images)
        return x, None, [tuple(grid)] * images.shape[0]

    def blocks(self, x: Tensor, mask: Optional[Tensor], start: int = 0,
               stop: Optional[int] = None) -> Tensor:
        """Run blocks ``start .. stop - 1`` (checkpointed when switched on)."""
        checkpointing = self.trunk.grad_checkpointing and torch.is_grad_enabled()
        for block in self.trunk.blocks[start:stop]:
            if checkpointing:
                x = torch.utils.checkpoint.checkpoint(
                    block, x, attn_mask=mask, use_reentrant=False)
            else:
                x = block(x, attn_mask=mask)
        return x

    def pool(self, x: Tensor, mask: Optional[Tensor]) -> Tensor:
        """``(B, C)`` image embedding: the MAP head on the final-normed tokens
        (``x`` after the last block)."""
        return self.trunk.attn_pool(self.trunk.norm(x), attn_mask=mask)

    def dense(self, x: Tensor, mask: Optional[Tensor]) -> Tensor:
        """``(B, N, C)`` dense features: ``dense_head`` with every token as
        its own query over the (unpadded) tokens; not normalised."""
        return map_head_dense(self.dense_head, self.trunk.norm(x), 'query',
                              key_mask=mask)

    def set_grad_checkpointing(self, enable: bool = True) -> None:
        self.trunk.set_grad_checkpointing(enable)
