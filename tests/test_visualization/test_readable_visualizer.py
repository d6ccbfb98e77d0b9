"""ReadableDetLocalVisualizer keeps box labels at least min_font_size."""
import numpy as np
from mmengine.registry import VISUALIZERS, init_default_scope

from fgclip_det.visualization import ReadableDetLocalVisualizer


def test_labels_are_at_least_min_font_size():
    # as the runner builds tools/test.py's `visualizer = dict(type=...)`
    init_default_scope('fgclip_det')
    visualizer = VISUALIZERS.build(dict(
        type='fgclip_det.ReadableDetLocalVisualizer',
        name='test_readable_visualizer', min_font_size=9))
    assert isinstance(visualizer, ReadableDetLocalVisualizer)
    visualizer.set_image(np.zeros((64, 64, 3), np.uint8))
    for size, drawn in ((6, 9), (13, 13)):  # mmdet's small- and large-box sizes
        visualizer.draw_texts('label', np.array([[1, 1]]), font_sizes=size,
                              colors=(200, 200, 200))
        assert visualizer.ax_save.texts[-1].get_fontsize() == drawn
