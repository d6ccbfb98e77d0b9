"""FG-CLIP pretraining: the model, its data preprocessor and its losses."""
from . import fgclip2  # noqa: F401 (registers the FG-CLIP 2 losses)
from .base_contrastive_head import BaseContrastiveHead
from .fgclip2_data_preprocessor import FGCLIP2DataPreprocessor
from .fgclip2_pretrainer import FGCLIP2Pretrainer
from .fgclip_data_preprocessor import FGCLIPDataPreprocessor
from .fgclip_pretrainer import FGCLIPPretrainer
from .gather_with_grad import gather_with_grad
from .global_contrastive_head import GlobalContrastiveHead
from .hard_negative_head import HardNegativeHead
from .info_nce import symmetric_info_nce
from .region_caption_logits import hard_negative_logits, region_caption_logits
from .regional_contrastive_head import RegionalContrastiveHead

__all__ = [
    'BaseContrastiveHead', 'FGCLIP2DataPreprocessor', 'FGCLIP2Pretrainer',
    'FGCLIPDataPreprocessor', 'FGCLIPPretrainer', 'GlobalContrastiveHead',
    'HardNegativeHead', 'RegionalContrastiveHead', 'gather_with_grad',
    'hard_negative_logits', 'region_caption_logits', 'symmetric_info_nce'
]
