"""Models: registered in ``fgclip_det.registry.MODELS``."""
from .backbones import *  # noqa: F401,F403
from .clip import *  # noqa: F401,F403
from .detectors import *  # noqa: F401,F403
from .evaluators import *  # noqa: F401,F403
from .pretrain import *  # noqa: F401,F403
from .roi_heads import *  # noqa: F401,F403
from .text import *  # noqa: F401,F403
