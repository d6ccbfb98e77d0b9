# Quickstart: a closed-vocabulary baseline on the synthetic set.
# A stock mmdet Faster R-CNN, shrunk to train from scratch on CPU in a few
# minutes (ResNet-18 at 1/4 width, 64-channel FPN). Trained on the base
# shapes only, it cannot find the novel ones: the gap an open-vocabulary
# detector closes. 200 train images / batch 8 = 25 iterations an epoch.
_base_ = [
    'mmdet::_base_/models/faster-rcnn_r50_fpn.py',
    '../_base_/datasets/synthetic_detection.py',
    '../_base_/schedules/synthetic_detection.py',
    '../_base_/default_runtime.py',
]

width = 16  # ResNet stem width (64 in the full model)
fpn_channels = 64
model = dict(
    backbone=dict(
        depth=18,
        base_channels=width,
        norm_cfg=dict(type='BN', requires_grad=True),
        init_cfg=None),
    neck=dict(
        in_channels=[width, width * 2, width * 4, width * 8],
        out_channels=fpn_channels),
    rpn_head=dict(in_channels=fpn_channels, feat_channels=fpn_channels),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=fpn_channels),
        bbox_head=dict(
            in_channels=fpn_channels,
            fc_out_channels=256,
            num_classes={{_base_.num_classes}})))

default_hooks = dict(
    logger=dict(interval=5), checkpoint=dict(interval=4, max_keep_ckpts=1))
log_processor = dict(window_size=5)
