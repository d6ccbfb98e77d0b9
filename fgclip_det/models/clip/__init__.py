"""The FG-CLIP dual encoder on open_clip: long text, dense and region features."""
from .checkpoint import load_state_dict_with_report, read_state_dict, save_checkpoint
from .constants import (
    CLIP_MEAN,
    CLIP_STD,
    LOGIT_SCALE_INIT,
    LOGIT_SCALES,
    LONG_CONTEXT_LENGTH,
    REGION_LOGIT_SCALES,
    SHORT_CONTEXT_LENGTH,
)
from .eva_trunk import eva_value_path_block
from .fgclip import FGCLIP
from .fgclip2 import FGCLIP2
from .fgclip_hf import load_fgclip_hf, open_clip_cfg_from_hf, save_fgclip_hf
from .key_map import KeyReport, KeyRule, apply_key_map
from .long_text_positions import stretch_position_table
from .region_pool import pool_regions
from .tokenizer import FGCLIPTokenizer
from .trunks import (
    OpenCLIPViTTrunk,
    TimmEvaTrunk,
    TimmSigLIPTrunk,
    TrunkFeatures,
    TrunkTokens,
    VisionTrunk,
    build_vision_trunk,
)
from .vit_trunk import PosEmbedCache, resize_pos_embed, value_path_block

__all__ = [
    'CLIP_MEAN', 'CLIP_STD', 'FGCLIP', 'FGCLIP2', 'FGCLIPTokenizer', 'KeyReport',
    'KeyRule', 'LOGIT_SCALE_INIT', 'LOGIT_SCALES', 'LONG_CONTEXT_LENGTH',
    'OpenCLIPViTTrunk', 'PosEmbedCache', 'REGION_LOGIT_SCALES',
    'SHORT_CONTEXT_LENGTH', 'TimmEvaTrunk', 'TimmSigLIPTrunk', 'TrunkFeatures',
    'TrunkTokens', 'VisionTrunk', 'apply_key_map', 'build_vision_trunk',
    'eva_value_path_block', 'load_fgclip_hf', 'load_state_dict_with_report',
    'open_clip_cfg_from_hf', 'pool_regions', 'read_state_dict',
    'resize_pos_embed', 'save_checkpoint', 'save_fgclip_hf',
    'stretch_position_table', 'value_path_block'
]
