"""Vision-trunk adapter of open_clip's ``VisionTransformer`` (OpenAI, LAION,
DataComp CLIP ViTs)."""
from typing import List, Optional

from open_clip.transformer import VisionTransformer
from torch import Tensor, nn

from fgclip_det.registry import VISION_TRUNKS

from ..vit_trunk import (
    PosEmbedCache,
    value_path_block,
    vit_blocks,
    vit_dense,
    vit_embed,
    vit_global,
    vit_problems,
    vit_project_dense,
)
from .base import Grid, TrunkTokens, VisionTrunk


@VISION_TRUNKS.register_module()
class OpenCLIPViTTrunk(VisionTrunk):
    """An open_clip ``VisionTransformer`` with class-token pooling.

    Positions are resized bicubically to the input grid (cached per grid);
    the dense map is the last block with attention replaced by its value
    path, then ``ln_post`` and ``proj`` on every token (CLIPSelf, FG-CLIP).
    """

    family = 'open_clip ViT'
    attention_free_last = True

    def __init__(self, visual: nn.Module) -> None:
        super().__init__(visual)
        self.pos_cache = PosEmbedCache()

    @classmethod
    def claims(cls, visual: nn.Module) -> bool:
        return isinstance(visual, VisionTransformer)

    @classmethod
    def problems(cls, visual: nn.Module) -> List[str]:
        return vit_problems(visual)

    @property
    def patch_size(self) -> Grid:
        return tuple(self.visual.patch_size)

    @property
    def width(self) -> int:
        return self.visual.conv1.out_channels

    @property
    def num_blocks(self) -> int:
        return len(self.visual.transformer.resblocks)

    @property
    def num_prefix_tokens(self) -> int:
        return 1

    def embed(self, images: Tensor) -> TrunkTokens:
        x, grid = vit_embed(self.visual, images, self.pos_cache)
        return TrunkTokens(x, grid)

    def blocks(self, tokens: TrunkTokens, start: int = 0,
               stop: Optional[int] = None) -> TrunkTokens:
        return tokens.with_x(vit_blocks(self.visual, tokens.x, start, stop))

    def pool(self, tokens: TrunkTokens) -> Tensor:
        return vit_global(self.visual, tokens.x)

    def dense(self, tokens: TrunkTokens) -> Tensor:
        return vit_dense(self.visual, tokens.x, tokens.grid)

    def value_path_last(self, tokens: TrunkTokens) -> TrunkTokens:
        block = self.visual.transformer.resblocks[-1]
        return tokens.with_x(value_path_block(block, tokens.x))

    def project_dense(self, tokens: TrunkTokens) -> Tensor:
        return vit_project_dense(self.visual, tokens.x, tokens.grid)

    def clear_cache(self) -> None:
        self.pos_cache.clear()
