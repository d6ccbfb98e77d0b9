"""Transforms of the FG-CLIP pretraining pipeline."""
from .load_clip_image import LoadCLIPImage
from .naflex_patchify import naflex_collate, patchify
from .naflex_resize import NaFlexResize, naflex_patch_budget, naflex_target_size
from .pack_clip_inputs import PackCLIPInputs
from .pipeline_size import at_size
from .resize_to_square import ResizeToSquare

__all__ = [
    'LoadCLIPImage', 'NaFlexResize', 'PackCLIPInputs', 'ResizeToSquare', 'at_size',
    'naflex_collate', 'naflex_patch_budget', 'naflex_target_size', 'patchify'
]
