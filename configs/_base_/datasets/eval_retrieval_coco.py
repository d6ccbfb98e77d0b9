# Short-caption retrieval on the COCO 5k test split (Karpathy's
# dataset_coco.json: val2014 images, 5 captions each): image <-> text
# R@1/5/10, captions on the short (77-token) path
# (configs/_base_/models/clip_retriever.py).
_base_ = ['./eval_test_loader.py']

data_root = 'data/coco/'
ann_file = 'annotations/dataset_coco.json'

test_pipeline = [
    dict(type='LoadCLIPImage'),
    dict(type='PackDetInputs',
         meta_keys=_base_.eval_meta_keys + ('captions', )),
]
test_dataloader = dict(
    batch_size=64,
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
