# OV-COCO: train on the 48 base classes, test AP50 on novel / base / all of
# the 65 classes.
# Train file: tools/data/make_ov_coco.py; val: the standard COCO file.
# Large-scale jitter at 640 x 640 (the pipelines of ov_detection_pipelines.py).
_base_ = ['./ov_detection_pipelines.py', './detection_loaders.py']

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
backend_args = _base_.backend_args

train_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        metainfo=dict(classes=classes),
        ann_file='annotations/instances_train2017_ov-base.json',
        data_prefix=dict(img='train2017/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=32),
        pipeline=_base_.train_pipeline,
        backend_args=backend_args))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        metainfo=dict(classes=classes),
        ann_file='annotations/instances_val2017.json',
        data_prefix=dict(img='val2017/'),
        test_mode=True,
        pipeline=_base_.test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='OVCocoMetric',
    ann_file=data_root + 'annotations/instances_val2017.json',
    novel_classes=novel_classes,
    backend_args=backend_args)
test_evaluator = val_evaluator
