"""fgclip_det: FG-CLIP pretraining and F-ViT open-vocabulary detection."""
from .version import __version__, version_info

__all__ = ['__version__', 'version_info']
