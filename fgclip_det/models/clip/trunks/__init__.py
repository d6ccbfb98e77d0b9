"""One interface to every CLIP image-tower family (see :mod:`.base`)."""
from .base import LAST_BLOCK_MODES, TrunkFeatures, TrunkTokens, VisionTrunk
from .build import build_vision_trunk
from .open_clip_vit import OpenCLIPViTTrunk
from .timm_eva import TimmEvaTrunk
from .timm_siglip import DENSE_PATHS, TimmSigLIPTrunk, map_head_dense

__all__ = [
    'DENSE_PATHS', 'LAST_BLOCK_MODES', 'OpenCLIPViTTrunk', 'TimmEvaTrunk',
    'TimmSigLIPTrunk', 'TrunkFeatures', 'TrunkTokens', 'VisionTrunk',
    'build_vision_trunk', 'map_head_dense'
]
