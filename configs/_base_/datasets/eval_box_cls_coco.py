# Box classification on COCO val2017: every ground-truth box (crowd boxes and
# boxes under 1 px dropped) is classified among the 80 class names, ViLD
# prompt ensemble; region features = RoIAlign (1x1) of the dense map of the
# whole image (FG-CLIP's region features), stretched to the model's input.
# Leaf configs add the CLIP (`model.clip` or `model.clip_checkpoint`) and
# its input size (`model.data_preprocessor.size`).
data_root = 'data/coco/'
ann_file = 'annotations/instances_val2017.json'
image_size = 224

model = dict(
    type='CLIPBoxClassifier',
    vocabulary=data_root + ann_file,  # category names, in label order
    templates='vild',
    region_mode='roi',  # or 'crop' (with crop_scale, e.g. 1.5)
    data_preprocessor=dict(
        type='CLIPEvalDataPreprocessor', size=image_size, resize='stretch'))

test_pipeline = [
    dict(type='LoadCLIPImage'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape')),
]
test_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
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
test_cfg = dict(type='TestLoop')
