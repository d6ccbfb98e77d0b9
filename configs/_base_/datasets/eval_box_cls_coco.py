# Box classification on COCO val2017: every ground-truth box (crowd boxes and
# boxes under 1 px dropped) is classified among the 80 class names
# (`vocabulary`, in label order). Leaf configs add the evaluation model
# (configs/_base_/models/clip_box_classifier.py) with this vocabulary and the
# CLIP (`model.clip` or `model.clip_checkpoint`) and its input size.
_base_ = ['./eval_test_loader.py']

data_root = 'data/coco/'
ann_file = 'annotations/instances_val2017.json'
vocabulary = data_root + ann_file  # category names, in label order

test_pipeline = [
    dict(type='LoadCLIPImage'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=_base_.eval_meta_keys),
]
test_dataloader = dict(
    batch_size=16,
    dataset=dict(
        type='BoxClassificationDataset',
        data_root=data_root,
        ann_file=ann_file,
        data_prefix=dict(img='val2017/'),
        min_size=1,
        test_mode=True,
        pipeline=test_pipeline))
test_evaluator = dict(
    type='ClassificationAccuracyMetric', topk=(1, 5), prefix='box_cls')
