"""Test helpers: tiny FG-CLIP models, checkpoints and reference forwards."""
from .fgclip_hf_reference import (
    FGCLIPHFReference,
    fgclip_hf_shapes,
    random_fgclip_hf_state_dict,
    tiny_fgclip_hf_config,
    write_fgclip_hf_dir,
)
from .tiny_clip import (
    TINY_CLIP_CFG,
    TINY_IMAGE_SIZE,
    build_tiny_fgclip,
    fgclip_tiny_hf_fixture,
    tiny_fgclip_cfg,
    tiny_open_clip_cfg,
    write_tiny_open_clip_checkpoint,
)

__all__ = [
    'FGCLIPHFReference', 'TINY_CLIP_CFG', 'TINY_IMAGE_SIZE', 'build_tiny_fgclip',
    'fgclip_hf_shapes', 'fgclip_tiny_hf_fixture', 'random_fgclip_hf_state_dict',
    'tiny_fgclip_cfg', 'tiny_fgclip_hf_config', 'tiny_open_clip_cfg',
    'write_fgclip_hf_dir', 'write_tiny_open_clip_checkpoint'
]
