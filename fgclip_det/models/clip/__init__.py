"""The FG-CLIP dual encoder on open_clip: long text, dense and region features."""
from .checkpoint import load_state_dict_with_report, read_state_dict, save_checkpoint
from .constants import (
    CLIP_MEAN,
    CLIP_STD,
    LOGIT_SCALE_INIT,
    LONG_CONTEXT_LENGTH,
    SHORT_CONTEXT_LENGTH,
)
from .eva_trunk import (
    EvaGridCache,
    eva_blocks,
    eva_dense,
    eva_embed,
    eva_problems,
    eva_value_path_block,
    is_eva_tower,
    resample_eva_pos_embed,
)
from .fgclip import FGCLIP
from .fgclip2 import FGCLIP2
from .fgclip_hf import load_fgclip_hf, open_clip_cfg_from_hf, save_fgclip_hf
from .key_map import KeyReport, KeyRule, apply_key_map
from .region_pool import pool_regions
from .text_tower import stretch_position_table
from .timm_trunk import timm_global, timm_patch_tokens
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
from .vit_trunk import (
    PosEmbedCache,
    resize_pos_embed,
    tokens_to_map,
    value_path_block,
    vit_blocks,
    vit_dense,
    vit_embed,
    vit_global,
    vit_problems,
)

__all__ = [
    'CLIP_MEAN', 'CLIP_STD', 'EvaGridCache', 'FGCLIP', 'FGCLIP2',
    'FGCLIPTokenizer', 'KeyReport', 'KeyRule', 'LOGIT_SCALE_INIT',
    'LONG_CONTEXT_LENGTH', 'OpenCLIPViTTrunk', 'PosEmbedCache',
    'SHORT_CONTEXT_LENGTH', 'TimmEvaTrunk', 'TimmSigLIPTrunk', 'TrunkFeatures',
    'TrunkTokens', 'VisionTrunk', 'apply_key_map', 'build_vision_trunk',
    'eva_blocks', 'eva_dense', 'eva_embed', 'eva_problems',
    'eva_value_path_block', 'is_eva_tower', 'load_fgclip_hf',
    'load_state_dict_with_report', 'open_clip_cfg_from_hf', 'pool_regions',
    'read_state_dict', 'resample_eva_pos_embed', 'resize_pos_embed',
    'save_checkpoint', 'save_fgclip_hf', 'stretch_position_table',
    'timm_global', 'timm_patch_tokens', 'tokens_to_map', 'value_path_block',
    'vit_blocks', 'vit_dense', 'vit_embed', 'vit_global', 'vit_problems'
]
