"""Use trained models: model-zoo downloads, any-vocabulary detection, heatmaps."""
from .download import (
    DownloadError,
    default_cache_dir,
    download_checkpoint,
    download_file,
    hub_file_url,
    sha256sum,
)
from .heatmap import add_colour_bar, overlay_heatmap, text_heatmap, text_similarity
from .image_input import ImageInputError, read_image_file
from .inferencer import OpenVocabDetector
from .model_index import (
    ModelEntry,
    UnknownModelError,
    WeightsSource,
    find_model_index,
    get_model_entry,
    load_model_index,
)
from .vocabulary_swap import set_detector_vocabulary

__all__ = [
    'DownloadError', 'ImageInputError', 'ModelEntry', 'OpenVocabDetector',
    'UnknownModelError', 'WeightsSource', 'add_colour_bar', 'default_cache_dir',
    'download_checkpoint', 'download_file', 'find_model_index',
    'get_model_entry', 'hub_file_url', 'load_model_index', 'overlay_heatmap',
    'read_image_file', 'set_detector_vocabulary', 'sha256sum', 'text_heatmap',
    'text_similarity'
]
