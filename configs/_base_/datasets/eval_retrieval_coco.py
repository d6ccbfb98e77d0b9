# Short-caption retrieval on the COCO 5k test split (Karpathy's
# dataset_coco.json: val2014 images, 5 captions each): image <-> text
# R@1/5/10, captions on the short (77-token) path.
data_root = 'data/coco/'
ann_file = 'annotations/dataset_coco.json'
image_size = 224

model = dict(
    type='CLIPRetriever',
    long_text=False,
    data_preprocessor=dict(
        type='CLIPEvalDataPreprocessor', size=image_size, resize='stretch'))

test_pipeline = [
    dict(type='LoadCLIPImage'),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'captions')),
]
test_dataloader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='RetrievalDataset',
        data_root=data_root,
        ann_file=ann_file,
        ann_format='karpathy',
        split='test',
        data_prefix=dict(img=''),  # `filepath` holds val2014/
        test_mode=True,
        pipeline=test_pipeline))
test_evaluator = dict(type='RetrievalRecallMetric', recall_ks=(1, 5, 10))
test_cfg = dict(type='TestLoop')
