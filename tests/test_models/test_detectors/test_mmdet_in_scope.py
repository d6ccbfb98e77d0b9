"""A stock mmdet detector builds in our scope and predicts on CPU.

Faster R-CNN's RoIAlign and NMS are mmcv's compiled ops, so this proves the
mmcv build is complete (not mmcv-lite).
"""
import torch
from mmdet.testing import demo_mm_inputs
from mmengine.config import Config
from mmengine.registry import init_default_scope

from fgclip_det.registry import MODELS
from fgclip_det.testing.detector_steps import assert_detections
from fgclip_det.utils import get_config_path

QUICKSTART = 'quickstart/faster-rcnn_r18-tiny_fpn_1xb8-12e_synthetic.py'


def test_faster_rcnn_predicts_with_mmcv_ops():
    cfg = Config.fromfile(get_config_path(QUICKSTART))
    init_default_scope(cfg.default_scope)
    model = MODELS.build(cfg.model).eval()
    roi_layer = model.roi_head.bbox_roi_extractor.roi_layers[0]
    assert type(roi_layer).__module__.startswith('mmcv.ops')

    packed = demo_mm_inputs(
        batch_size=2, image_shapes=[(3, 128, 96), (3, 96, 128)], num_classes=8)
    with torch.no_grad():
        data = model.data_preprocessor(packed, False)
        results = model(**data, mode='predict')
    assert_detections(results, 2, num_classes=8)
    # untrained, but RPN + NMS yield boxes
    assert all(len(result.pred_instances) > 0 for result in results)
