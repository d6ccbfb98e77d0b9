"""Vision-trunk adapter of open_clip's SigLIP / SigLIP 2 towers: a timm
``VisionTransformer`` without class token, pooled by an attention-pool
(MAP) head."""
from typing import List, Literal, Optional

import torch.nn.functional as F
from open_clip.timm_model import TimmModel
from timm.layers import AttentionPoolLatent
from timm.models.vision_transformer import VisionTransformer
from torch import Tensor, nn

from fgclip_det.registry import VISION_TRUNKS

from ..eva_trunk import resample_eva_pos_embed
from ..timm_trunk import (
    timm_blocks,
    timm_global,
    timm_head_on_tokens,
    timm_patch_tokens,
    tokens_to_grid,
)
from ..vit_trunk import PosEmbedCache
from .base import TrunkTokens
from .timm_base import TimmTrunk

DensePath = Literal['query', 'value']
DENSE_PATHS = ('query', 'value')


def map_head_dense(pool: AttentionPoolLatent, x: Tensor,
                   dense_path: DensePath = 'query',
                   key_mask: Optional[Tensor] = None) -> Tensor:
    """The MAP head run with every token as its own query.

    ``'query'``: each token's query ``q(x_i)`` replaces the learnt probe and
    attends over all tokens (FG-CLIP 2's dense head:
    ``get_image_dense_feature``). ``'value'``: each token attends only to
    itself, so attention reduces to its value ``v(x_i)`` (the value path
    CLIPSelf and FG-CLIP use for class-token towers). Both then apply the
    head's output projection and ``x + mlp(norm(x))``.

    Args:
        pool (AttentionPoolLatent): timm's MAP head (one latent).
        x (Tensor): ``(B, N, C)`` final-normed tokens.
        dense_path (str): ``'query'`` or ``'value'``. Defaults to 'query'.
        key_mask (Tensor, optional): Additive mask broadcastable to
            ``(B, heads, N, N)`` hiding padded keys (``'query'`` only).

    Returns:
        Tensor: ``(B, N, C)``.
    """
    batch, num, channels = x.shape
    if pool.pos_embed is not None:
        x = x + pool.pos_embed.unsqueeze(0).to(x.dtype)
    kv = pool.kv(x).reshape(batch, num, 2, pool.num_heads, pool.head_dim)
    k, v = kv.permute(2, 0, 3, 1, 4).unbind(0)
    if dense_path == 'query':
        q = pool.q(x).reshape(batch, num, pool.num_heads, pool.head_dim)
        q, k = pool.q_norm(q.transpose(1, 2)), pool.k_norm(k)
        v = F.scaled_dot_product_attention(q, k, v, attn_mask=key_mask,
                                           scale=pool.scale)
    x = pool.proj_drop(pool.proj(v.transpose(1, 2).reshape(batch, num, channels)))
    if pool.mlp is not None:
        x = x + pool.mlp(pool.norm(x))
    return x


@VISION_TRUNKS.register_module()
class TimmSigLIPTrunk(TimmTrunk):
    """An open_clip ``TimmModel`` with a timm ``VisionTransformer`` trunk
    pooled by a MAP head (``ViT-B-16-SigLIP``, ``ViT-B-16-SigLIP2``, ...).

    Position tables are resampled as timm's dynamic-size mode does (cached
    per grid). The dense map runs all blocks and the final norm, then the
    MAP head on every token (:func:`map_head_dense`), then ``fc_norm`` and
    the heads: the dense path starts after the last block.

    Args:
        visual (nn.Module): The open_clip tower.
        dense_path (str): ``'query'`` (each token queries all tokens, as
            FG-CLIP 2's dense head) or ``'value'`` (each token attends only
            to itself). Defaults to 'query'.
    """

    family = 'timm SigLIP'

    def __init__(self, visual: nn.Module, dense_path: DensePath = 'query') -> None:
        if dense_path not in DENSE_PATHS:
            raise ValueError(f'dense_path of a {self.family} tower must be one '
                             f'of {DENSE_PATHS}, got {dense_path!r}')
        super().__init__(visual)
        self.dense_path = dense_path
        self.pos_cache = PosEmbedCache(resize=resample_eva_pos_embed)

    @classmethod
    def claims(cls, visual: nn.Module) -> bool:
        return (isinstance(visual, TimmModel)
                and isinstance(visual.trunk, VisionTransformer))

    @classmethod
    def problems(cls, visual: nn.Module) -> List[str]:
        trunk, problems = visual.trunk, []
        if not isinstance(trunk.attn_pool, AttentionPoolLatent):
            problems.append(f'global_pool={trunk.global_pool!r} (only the '
                            "attention-pool head, 'map', is supported)")
        elif trunk.attn_pool.latent_len != 1:
            problems.append(f'{trunk.attn_pool.latent_len} pooling latents')
        if not isinstance(trunk.patch_drop, nn.Identity):
            problems.append('patch dropout')
        if getattr(trunk, 'is_causal', False):
            problems.append('causal attention')
        return problems

    @property
    def dense_branch(self) -> int:
        return self.num_blocks

    def embed(self, images: Tensor) -> TrunkTokens:
        x, grid = timm_patch_tokens(self.visual.trunk, images, self.pos_cache)
        return TrunkTokens(x, grid)

    def blocks(self, tokens: TrunkTokens, start: int = 0,
               stop: Optional[int] = None) -> TrunkTokens:
        return tokens.with_x(timm_blocks(self.visual.trunk, tokens.x, start, stop))

    def pool(self, tokens: TrunkTokens) -> Tensor:
        return timm_global(self.visual, tokens.x)

    def dense(self, tokens: TrunkTokens) -> Tensor:
        trunk = self.visual.trunk
        x = map_head_dense(trunk.attn_pool, trunk.norm(tokens.x), self.dense_path)
        return tokens_to_grid(timm_head_on_tokens(self.visual, x),
                              self.num_prefix_tokens, tokens.grid)

    def clear_cache(self) -> None:
        self.pos_cache.clear()
