"""Detection backbones."""
from .fvit_clip_backbone import FViTCLIPBackbone

__all__ = ['FViTCLIPBackbone']
