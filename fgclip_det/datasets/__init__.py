"""Datasets and transforms: registered in ``fgclip_det.registry.DATASETS`` /
``TRANSFORMS``."""
from .box_classification_dataset import BoxClassificationDataset
from .fgovd import FGOVDRecord, load_fgovd_jsonl
from .fgovd_benchmark_dataset import FGOVDBenchmarkDataset
from .finehard_dataset import FineHARDDataset
from .finehard_web_dataset import FineHARDWebDataset
from .image_files import MissingImageFilesError
from .ov_coco import OVCocoDataset
from .ov_lvis import OVLVISDataset
from .retrieval_dataset import RetrievalDataset
from .synthetic import generate_synthetic_dataset
from .transforms import LoadCLIPImage, PackCLIPInputs, ResizeToSquare
from .zero_shot_crop_folder import write_crop_folder
from .zero_shot_folder_dataset import ZeroShotFolderDataset

__all__ = [
    'BoxClassificationDataset', 'FGOVDBenchmarkDataset', 'FGOVDRecord',
    'FineHARDDataset', 'FineHARDWebDataset', 'LoadCLIPImage',
    'MissingImageFilesError', 'OVCocoDataset', 'OVLVISDataset',
    'PackCLIPInputs', 'ResizeToSquare', 'RetrievalDataset',
    'ZeroShotFolderDataset', 'generate_synthetic_dataset', 'load_fgovd_jsonl',
    'write_crop_folder'
]
