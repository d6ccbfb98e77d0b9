"""Vision-trunk adapter of FG-CLIP 2's NaFlex tower (F-ViT's interface).

A detector input is one ``(B, 3, H, W)`` tensor: one patch grid, no padding
mask. NaFlex's learned position grid is resized to it as its processor
does (bilinear, antialiased; timm's ``NaFlexEmbeds``), the image embedding
is the MAP head after the last block and the dense map is FG-CLIP 2's
trained ``dense_head`` with every token as its own query.
"""
from typing import List, Optional

from torch import Tensor, nn

from fgclip_det.registry import VISION_TRUNKS

from ..timm_trunk import tokens_to_grid
from ..trunks.base import Grid, TrunkTokens, VisionTrunk
from .vision_tower import FGCLIP2VisionTower


@VISION_TRUNKS.register_module()
class FGCLIP2Trunk(VisionTrunk):
    """An :class:`~.vision_tower.FGCLIP2VisionTower`, run piece by piece.

    No prefix tokens; the dense path starts after the last block; the last
    block always runs with its attention (``last_block='attention'``).
    Position tables are resized on every call (nothing cached).

    Args:
        visual (nn.Module): The FG-CLIP 2 image tower (``FGCLIP2.visual``).
    """

    family = 'FG-CLIP 2 NaFlex'

    @classmethod
    def claims(cls, visual: nn.Module) -> bool:
        return isinstance(visual, FGCLIP2VisionTower)

    @classmethod
    def problems(cls, visual: nn.Module) -> List[str]:
        prefix = visual.trunk.num_prefix_tokens
        return [f'{prefix} prefix tokens'] if prefix else []

    @property
    def patch_size(self) -> Grid:
        return self.visual.patch_size, self.visual.patch_size

    @property
    def width(self) -> int:
        return self.visual.width

    @property
    def num_blocks(self) -> int:
        return self.visual.num_blocks

    @property
    def num_prefix_tokens(self) -> int:
        return 0

    @property
    def dense_branch(self) -> int:
        return self.num_blocks

    def embed(self, images: Tensor) -> TrunkTokens:
        x, _, grids = self.visual.embed(images)
        return TrunkTokens(x, grids[0])

    def blocks(self, tokens: TrunkTokens, start: int = 0,
               stop: Optional[int] = None) -> TrunkTokens:
        return tokens.with_x(self.visual.blocks(tokens.x, None, start, stop))

    def pool(self, tokens: TrunkTokens) -> Tensor:
        return self.visual.pool(tokens.x, None)

    def dense(self, tokens: TrunkTokens) -> Tensor:
        return tokens_to_grid(self.visual.dense(tokens.x, None), 0, tokens.grid)

    def clear_cache(self) -> None:
        """Nothing is cached: the position grid is resized on every call."""
