"""Datasets and transforms: registered in ``fgclip_det.registry.DATASETS``
and ``TRANSFORMS``."""
from .fgovd import FGOVDRecord, load_fgovd_jsonl
from .synthetic import generate_synthetic_dataset

__all__ = ['FGOVDRecord', 'generate_synthetic_dataset', 'load_fgovd_jsonl']
