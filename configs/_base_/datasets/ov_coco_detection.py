# OV-COCO: train on the 48 base classes, test AP50 on novel / base / all of
# the 65 classes.
# Train file: tools/data/make_ov_coco.py; val: the standard COCO file.
# Large-scale jitter at 640 x 640.
dataset_type = 'OVCocoDataset'  # CocoDataset with its image files checked
data_root = 'data/coco/'
# The split is defined once, in fgclip_det/datasets/ov_coco.py (a plain
# config cannot `import` it: MMEngine would read the file as a pure-Python
# config).
_ov_coco = __import__('fgclip_det.datasets.ov_coco', fromlist=['ov_coco'])
classes = _ov_coco.OV_COCO_CLASSES  # the 65, in COCO's order
novel_classes = _ov_coco.OV_COCO_NOVEL_CLASSES
num_classes = len(classes)
novel_class_ids = [i for i, name in enumerate(classes) if name in novel_classes]
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

train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        metainfo=dict(classes=classes),
        ann_file='annotations/instances_train2017_ov-base.json',
        data_prefix=dict(img='train2017/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=32),
        pipeline=train_pipeline,
        backend_args=backend_args))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        metainfo=dict(classes=classes),
        ann_file='annotations/instances_val2017.json',
        data_prefix=dict(img='val2017/'),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='OVCocoMetric',
    ann_file=data_root + 'annotations/instances_val2017.json',
    novel_classes=novel_classes,
    backend_args=backend_args)
test_evaluator = val_evaluator
