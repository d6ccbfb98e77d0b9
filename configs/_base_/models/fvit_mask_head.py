# The class-agnostic mask branch of F-ViT on OV-LVIS: mmdet's FCN mask head
# on 14 x 14 RoIs of the FPN levels, trained on 28 x 28 mask targets. An
# instance-segmentation leaf config inherits it beside its model and dataset
# fragments and completes each part with their `strides` and `num_classes`:
#   roi_head=dict(
#       mask_roi_extractor=dict(
#           _base_.fvit_mask_roi_extractor, featmap_strides=_base_.strides),
#       mask_head=dict(_base_.fvit_mask_head, num_classes=_base_.num_classes)),
#   train_cfg=_base_.fvit_mask_train_cfg
fvit_mask_roi_extractor = dict(
    type='SingleRoIExtractor',
    roi_layer=dict(type='RoIAlign', output_size=14, sampling_ratio=0),
    out_channels=256)
fvit_mask_head = dict(
    type='FCNMaskHead',
    num_convs=4,
    in_channels=256,
    conv_out_channels=256,
    class_agnostic=True,
    loss_mask=dict(type='CrossEntropyLoss', use_mask=True, loss_weight=1.0))
fvit_mask_train_cfg = dict(rcnn=dict(mask_size=28))
