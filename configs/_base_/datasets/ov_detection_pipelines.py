# The pipelines of the OV detection sets (ov_coco_detection.py at 640 x 640,
# ov_lvis_instance.py): large-scale jitter for training (resize to 0.1-2.0 x
# image_size, crop to image_size, flip) and a resize to image_size for
# testing, boxes only. Another size or masks: derive them with
# fgclip_det.datasets.transforms.pipeline_size.at_size, as
# ov_lvis_instance.py and the 896 x 896 ViT-L/14 leaves do.
image_size = (640, 640)
backend_args = None

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='RandomResize',
        scale=image_size,
        ratio_range=(0.1, 2.0),
        keep_ratio=True),
    dict(
        type='RandomCrop',
        crop_type='absolute_range',
        crop_size=image_size,
        recompute_bbox=True,
        allow_negative_crop=True),
    dict(type='FilterAnnotations', min_gt_bbox_wh=(1e-2, 1e-2)),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=image_size, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
