"""mmdet's detection visualizer with a smallest label size."""
from typing import Any, List, Optional, Union

import numpy as np
import torch
from mmdet.visualization import DetLocalVisualizer

from fgclip_det.registry import VISUALIZERS


@VISUALIZERS.register_module()
class ReadableDetLocalVisualizer(DetLocalVisualizer):
    """``DetLocalVisualizer`` whose box labels are at least ``min_font_size``.

    mmdet writes a label at 13 pt on a box of at least 30000 px² and at 6 pt
    on any smaller one (``_get_adaptive_scales`` steps from 0.5 to 1), which
    is unreadable. A point is ``dpi / 72`` pixels, 1.4 at the default 100 dpi.

    Args:
        name (str): The instance name. Defaults to 'visualizer'.
        min_font_size (int): Smallest label size in points. Defaults to 10.
        **kwargs: ``DetLocalVisualizer``'s other arguments.
    """

    def __init__(self, name: str = 'visualizer', min_font_size: int = 10,
                 **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.min_font_size = min_font_size

    def draw_texts(self, texts: Union[str, List[str]],
                   positions: Union[np.ndarray, torch.Tensor],
                   font_sizes: Optional[int] = None,
                   **kwargs: Any) -> 'ReadableDetLocalVisualizer':
        """mmengine's ``draw_texts``, a given ``font_sizes`` (one size, as
        ``DetLocalVisualizer`` passes) raised to ``min_font_size``."""
        if font_sizes is not None:
            font_sizes = max(font_sizes, self.min_font_size)
        return super().draw_texts(texts, positions, font_sizes, **kwargs)
