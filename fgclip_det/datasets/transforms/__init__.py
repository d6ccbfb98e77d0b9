"""Transforms of the FG-CLIP pretraining pipeline."""
from .load_clip_image import LoadCLIPImage
from .pack_clip_inputs import PackCLIPInputs
from .resize_to_square import ResizeToSquare

__all__ = ['LoadCLIPImage', 'PackCLIPInputs', 'ResizeToSquare']
