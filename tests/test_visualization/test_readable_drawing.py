"""draw_detections: small images are drawn upscaled, boxes with them."""
import mmcv
import pytest
from mmdet.visualization import DetLocalVisualizer

from fgclip_det.testing.drawn_boxes import black_picture_sample, box_drawn
from fgclip_det.visualization import draw_detections

BOX = [10, 5, 40, 30]


@pytest.fixture(scope='module')
def visualizer():
    return DetLocalVisualizer.get_instance('test_readable_drawing',
                                           bbox_color=(255, 255, 255))


@pytest.mark.parametrize('height, width, min_short_side, size', [
    (40, 50, 512, (512, 640)),    # 12.8 x
    (50, 90, 512, (512, 922)),    # rounded, boxes scaled per axis
    (40, 50, 0, (40, 50)),        # not upscaled
    (600, 700, 512, (600, 700)),  # large enough already
])
def test_small_images_are_drawn_upscaled(visualizer, tmp_path, height, width,
                                         min_short_side, size):
    sample = black_picture_sample(tmp_path / 'a.png', height, width, [BOX],
                                  [0.9], gt_boxes=[BOX])
    image = mmcv.imread(sample.img_path, channel_order='rgb')
    out = tmp_path / 'drawn.png'
    drawn = draw_detections(visualizer, 'a', image, sample, min_short_side,
                            out_file=str(out))
    # ground truth left, predictions right, as mmdet draws them
    assert drawn.shape == (size[0], 2 * size[1], 3)
    assert mmcv.imread(str(out)).shape == drawn.shape
    scale = size[0] / height
    assert box_drawn(drawn, BOX, scale) and box_drawn(drawn, BOX, scale, size[1])
    assert sample.pred_instances.bboxes.tolist() == [BOX]  # left as it was


def test_no_score_threshold_is_applied(visualizer, tmp_path):
    sample = black_picture_sample(tmp_path / 'a.png', 64, 64, [BOX], [0.01])
    image = mmcv.imread(sample.img_path, channel_order='rgb')
    drawn = draw_detections(visualizer, 'a', image, sample, draw_gt=False)
    assert drawn.shape == (512, 512, 3) and box_drawn(drawn, BOX, 8)
