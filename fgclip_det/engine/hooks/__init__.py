"""Hooks registered in ``fgclip_det.registry.HOOKS``."""
from .atomic_checkpoint_hook import AtomicCheckpointHook
from .init_region_scales_hook import InitRegionScalesHook
from .plain_checkpoint_hook import PlainCheckpointHook
from .readable_det_visualization_hook import ReadableDetVisualizationHook

__all__ = [
    'AtomicCheckpointHook', 'InitRegionScalesHook', 'PlainCheckpointHook',
    'ReadableDetVisualizationHook'
]
