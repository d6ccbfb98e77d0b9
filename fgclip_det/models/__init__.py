"""Models: registered in ``fgclip_det.registry.MODELS``."""
