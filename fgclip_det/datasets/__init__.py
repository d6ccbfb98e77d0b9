"""Datasets and transforms: registered in ``fgclip_det.registry.DATASETS`` /
``TRANSFORMS``."""
from .fgovd import FGOVDRecord, load_fgovd_jsonl
from .finehard_dataset import FineHARDDataset
from .finehard_web_dataset import FineHARDWebDataset
from .synthetic import generate_synthetic_dataset
from .transforms import LoadCLIPImage, PackCLIPInputs, ResizeToSquare

__all__ = [
    'FGOVDRecord', 'FineHARDDataset', 'FineHARDWebDataset', 'LoadCLIPImage',
    'PackCLIPInputs', 'ResizeToSquare', 'generate_synthetic_dataset',
    'load_fgovd_jsonl'
]
