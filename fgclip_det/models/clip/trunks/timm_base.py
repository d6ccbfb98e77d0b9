"""What the adapters of open_clip's timm towers share (``TimmModel.trunk``)."""
from .base import Grid, VisionTrunk


class TimmTrunk(VisionTrunk):
    """Sizes read from a timm trunk (``Eva`` or ``VisionTransformer``)."""

    @property
    def patch_size(self) -> Grid:
        return tuple(self.visual.trunk.patch_embed.patch_size)

    @property
    def width(self) -> int:
        return self.visual.trunk.embed_dim

    @property
    def num_blocks(self) -> int:
        return len(self.visual.trunk.blocks)

    @property
    def num_prefix_tokens(self) -> int:
        return self.visual.trunk.num_prefix_tokens
