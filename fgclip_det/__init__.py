"""fgclip_det: FG-CLIP pretraining and F-ViT open-vocabulary detection."""
from .utils.checkpoint_loader import register_safe_checkpoint_loaders
from .version import __version__, version_info

# Every checkpoint MMEngine reads in a process that uses the toolkit (local
# files, URLs, load_from, --resume, init_cfg) is read without running code.
register_safe_checkpoint_loaders()

__all__ = ['__version__', 'version_info']
