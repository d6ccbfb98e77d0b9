"""ReadableDetVisualizationHook draws only the selected boxes, upscaled."""
from types import SimpleNamespace

import mmcv
import pytest
from mmengine.registry import init_default_scope

from fgclip_det.registry import HOOKS
from fgclip_det.testing.drawn_boxes import black_picture_sample, box_drawn
from fgclip_det.visualization import ReadableDetLocalVisualizer

# A 64 x 80 image, drawn 8 times larger: 512 x 640, predictions right of
# the ground truth. One box a quadrant, so that no label covers another box.
BOXES = [[4, 4, 30, 28], [44, 4, 76, 28], [4, 36, 30, 60], [44, 36, 76, 60]]
SCORES = [0.9, 0.6, 0.3, 0.05]
GT_BOX = [20, 20, 60, 44]


@pytest.fixture(scope='module', autouse=True)
def visualizer():
    init_default_scope('fgclip_det')
    return ReadableDetLocalVisualizer.get_instance(
        'test_readable_hook', bbox_color=(255, 255, 255))


def _drawn_boxes(tmp_path, **hook_args):
    hook = HOOKS.build(dict(type='ReadableDetVisualizationHook', draw=True,
                            test_out_dir='vis', **hook_args))
    sample = black_picture_sample(tmp_path / 'img.png', 64, 80, BOXES, SCORES,
                                  gt_boxes=[GT_BOX])
    runner = SimpleNamespace(work_dir=str(tmp_path), timestamp='stamp')
    hook.after_test_iter(runner, 0, {}, [sample])
    picture = mmcv.imread(str(tmp_path / 'stamp' / 'vis' / 'img.png'))
    assert picture.shape == (512, 2 * 640, 3)
    assert box_drawn(picture, GT_BOX, 8)
    assert len(sample.pred_instances) == len(BOXES)  # outputs left as they were
    return [i for i, box in enumerate(BOXES) if box_drawn(picture, box, 8, 640)]


@pytest.mark.parametrize('hook_args, drawn', [
    (dict(), [0, 1, 2]),  # mmdet's default score_thr=0.3, inclusive here
    (dict(score_thr=0.0), [0, 1, 2, 3]),
    (dict(score_thr=0.0, max_boxes=2), [0, 1]),
    (dict(score_thr=0.0, relative_score_thr=0.5), [0, 1]),
    (dict(score_thr=0.5, max_boxes=1), [0]),
], ids=['default', 'all', 'top-2', 'relative', 'top-1'])
def test_draws_the_selected_boxes(tmp_path, hook_args, drawn):
    assert _drawn_boxes(tmp_path, **hook_args) == drawn


def test_no_upscaling_with_min_short_side_0(tmp_path):
    hook = HOOKS.build(dict(type='ReadableDetVisualizationHook', draw=True,
                            min_short_side=0))
    sample = black_picture_sample(tmp_path / 'img.png', 64, 80, BOXES, SCORES)
    hook.after_val_iter(SimpleNamespace(iter=0), 0, {}, [sample])
    assert hook._visualizer.get_image().shape == (64, 2 * 80, 3)


@pytest.mark.parametrize('hook_args, message', [
    (dict(max_boxes=0), 'max_boxes .* got 0'),
    (dict(relative_score_thr=2.0), 'relative_score_thr .* got 2.0'),
])
def test_bad_values_fail_when_built(hook_args, message):
    with pytest.raises(ValueError, match=message):
        HOOKS.build(dict(type='ReadableDetVisualizationHook', **hook_args))
