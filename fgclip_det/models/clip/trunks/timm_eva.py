"""Vision-trunk adapter of open_clip's EVA towers (a timm ``Eva`` trunk)."""
from typing import List, Optional

from torch import Tensor, nn

from fgclip_det.registry import VISION_TRUNKS

from ..eva_trunk import (
    EvaGridCache,
    eva_blocks,
    eva_dense,
    eva_embed,
    eva_problems,
    eva_project_dense,
    eva_value_path_block,
    is_eva_tower,
)
from ..timm_trunk import timm_global
from .base import TrunkTokens
from .timm_base import TimmTrunk


@VISION_TRUNKS.register_module()
class TimmEvaTrunk(TimmTrunk):
    """An open_clip ``TimmModel`` with a timm ``Eva`` trunk (EVA01 / EVA02).

    Position tables are resampled as timm's dynamic-size mode does and the
    rotary embedding is rebuilt for the input grid (both cached per grid);
    the dense map is the last block with attention replaced by its value
    path (RoPE only touches queries and keys, so it drops out), then the
    final norm and heads on every token (CLIPSelf's EVA-02 recipe).
    """

    family = 'timm EVA'
    attention_free_last = True

    def __init__(self, visual: nn.Module) -> None:
        super().__init__(visual)
        self.grid_cache = EvaGridCache()

    @classmethod
    def claims(cls, visual: nn.Module) -> bool:
        return is_eva_tower(visual)

    @classmethod
    def problems(cls, visual: nn.Module) -> List[str]:
        return eva_problems(visual)

    def embed(self, images: Tensor) -> TrunkTokens:
        x, rope, grid = eva_embed(self.visual, images, self.grid_cache)
        return TrunkTokens(x, grid, rope)

    def blocks(self, tokens: TrunkTokens, start: int = 0,
               stop: Optional[int] = None) -> TrunkTokens:
        x = eva_blocks(self.visual, tokens.x, tokens.rope, start, stop)
        return tokens.with_x(x)

    def pool(self, tokens: TrunkTokens) -> Tensor:
        return timm_global(self.visual, tokens.x)

    def dense(self, tokens: TrunkTokens) -> Tensor:
        return eva_dense(self.visual, tokens.x, tokens.grid)

    def value_path_last(self, tokens: TrunkTokens) -> TrunkTokens:
        block = self.visual.trunk.blocks[-1]
        return tokens.with_x(eva_value_path_block(block, tokens.x))

    def project_dense(self, tokens: TrunkTokens) -> Tensor:
        return eva_project_dense(self.visual, tokens.x, tokens.grid)

    def clear_cache(self) -> None:
        self.grid_cache.clear()
