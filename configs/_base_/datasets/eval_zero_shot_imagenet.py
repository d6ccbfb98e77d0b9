# Zero-shot classification on ImageNet-1k val (class folders named by
# WordNet id, sorted = label order; classnames.txt holds one readable name a
# line in that order) with CLIP's 80 ImageNet templates; images resized
# (shorter side) and centre-cropped as in CLIP.
data_root = 'data/imagenet/'
class_names = data_root + 'classnames.txt'
image_size = 224

model = dict(
    type='CLIPZeroShotClassifier',
    vocabulary=class_names,
    templates='imagenet',
    data_preprocessor=dict(
        type='CLIPEvalDataPreprocessor', size=image_size,
        resize='center_crop'))

test_pipeline = [
    dict(type='LoadCLIPImage'),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'gt_label')),
]
test_dataloader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='ZeroShotFolderDataset',
        data_root=data_root,
        data_prefix=dict(img='val/'),
        class_names=class_names,
        test_mode=True,
        pipeline=test_pipeline))
test_evaluator = dict(
    type='ClassificationAccuracyMetric', topk=(1, 5), prefix='zero_shot')
test_cfg = dict(type='TestLoop')
