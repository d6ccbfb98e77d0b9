"""Datasets and transforms: registered in ``fgclip_det.registry.DATASETS``
and ``TRANSFORMS``."""
