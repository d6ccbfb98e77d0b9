"""Models: registered in ``fgclip_det.registry.MODELS``."""
from .clip import *  # noqa: F401,F403
from .pretrain import *  # noqa: F401,F403
