"""FG-CLIP 2: NaFlex SigLIP 2 towers with dense, box and long-text heads."""
from .arch import ARCH_PRESETS, arch_from_hf_config, hf_config_from_arch
from .hf_layout import load_fgclip2_hf, load_hf_state_dict, save_fgclip2_hf
from .model import FGCLIP2
from .tokenizer import FGCLIP2Tokenizer
from .trunk import FGCLIP2Trunk

__all__ = ['ARCH_PRESETS', 'FGCLIP2', 'FGCLIP2Tokenizer', 'FGCLIP2Trunk',
           'arch_from_hf_config', 'hf_config_from_arch', 'load_fgclip2_hf',
           'load_hf_state_dict', 'save_fgclip2_hf']
