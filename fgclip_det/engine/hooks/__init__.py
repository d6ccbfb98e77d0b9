"""Hooks registered in ``fgclip_det.registry.HOOKS``."""
from .plain_checkpoint_hook import PlainCheckpointHook

__all__ = ['PlainCheckpointHook']
