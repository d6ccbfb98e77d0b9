# The embedded synthetic detection set (tools/data/make_synthetic.py).
# Train boxes cover base shapes only (novel shapes appear unlabelled, as in
# OV-COCO); val has boxes for every shape. The loaders of
# detection_loaders.py; the test pipeline of ov_detection_pipelines.py at
# image_size, and for training a resize and a flip (no large-scale jitter).
_base_ = ['./ov_detection_pipelines.py', './detection_loaders.py']
_transforms = __import__('fgclip_det.datasets.transforms', fromlist=['at_size'])

dataset_type = 'CocoDataset'
data_root = 'data/synthetic/'
classes = ('circle', 'square', 'triangle', 'star', 'hexagon', 'diamond',
           'cross', 'heart')
num_classes = len(classes)
# The resolution the quickstart's tiny CLIP is pretrained at (its dense
# features are only trained there); images are generated at 224.
image_size = (128, 128)
backend_args = _base_.backend_args

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=image_size, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = _transforms.at_size(_base_.test_pipeline, image_size)

train_dataloader = dict(
    num_workers=2,
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        metainfo=dict(classes=classes),
        ann_file='annotations/instances_train.json',
        data_prefix=dict(img='images/train/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=4),
        pipeline=train_pipeline,
        backend_args=backend_args))
val_dataloader = dict(
    batch_size=8,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        metainfo=dict(classes=classes),
        ann_file='annotations/instances_val.json',
        data_prefix=dict(img='images/val/'),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='CocoMetric',
    ann_file=data_root + 'annotations/instances_val.json',
    metric='bbox',
    classwise=True,
    format_only=False,
    backend_args=backend_args)
test_evaluator = val_evaluator
