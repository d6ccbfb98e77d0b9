# Zero-shot classification on ImageNet-1k val (class folders named by
# WordNet id, sorted = label order; classnames.txt holds one readable name a
# line in that order, the `vocabulary` of the evaluation model,
# configs/_base_/models/clip_zero_shot_classifier.py).
_base_ = ['./eval_test_loader.py']

data_root = 'data/imagenet/'
class_names = data_root + 'classnames.txt'
vocabulary = class_names

test_pipeline = [
    dict(type='LoadCLIPImage'),
    dict(type='PackDetInputs',
         meta_keys=_base_.eval_meta_keys + ('gt_label', )),
]
test_dataloader = dict(
    batch_size=64,
    dataset=dict(
        type='ZeroShotFolderDataset',
        data_root=data_root,
        data_prefix=dict(img='val/'),
        class_names=class_names,
        test_mode=True,
        pipeline=test_pipeline))
test_evaluator = dict(
    type='ClassificationAccuracyMetric', topk=(1, 5), prefix='zero_shot')
