"""fgclip_det: FG-CLIP pretraining and F-ViT open-vocabulary detection."""
from ._deepspeed_accelerator import name_deepspeed_accelerator

name_deepspeed_accelerator()  # before MMEngine's runner imports DeepSpeed

from .utils.checkpoint_loader import register_safe_checkpoint_loaders  # noqa: E402
from .version import __version__, version_info  # noqa: E402

# Every checkpoint MMEngine reads in a process that uses the toolkit (local
# files, URLs, load_from, --resume, init_cfg) is read without running code.
register_safe_checkpoint_loaders()

__all__ = ['__version__', 'version_info']
