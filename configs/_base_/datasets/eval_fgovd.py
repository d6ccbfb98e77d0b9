# FG-OVD (Bianchi et al., CVPR 2024) as FG-CLIP evaluates it: each box is
# scored against its positive and 10 negative descriptions (the evaluation
# model: configs/_base_/models/clip_fgovd_ranker.py); accuracy per
# difficulty file. The jsonl files are under data/fgovd/, the images their
# `img_path`s name (`val2017/...`) under data/coco/.
_base_ = ['./eval_test_loader.py']

data_root = 'data/'
fgovd_files = [
    'fgovd/h_attributes_llava.jsonl',  # hard
    'fgovd/m_attributes_llava.jsonl',  # medium
    'fgovd/e_attributes_llava.jsonl',  # easy
    'fgovd/shuffle_negatives_llava.jsonl',  # trivial
]

test_pipeline = [
    dict(type='LoadCLIPImage'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=_base_.eval_meta_keys + ('texts', 'test_type')),
]
test_dataloader = dict(
    batch_size=32,
    dataset=dict(
        type='FGOVDBenchmarkDataset',
        data_root=data_root,
        ann_files=fgovd_files,
        data_prefix=dict(img='coco/'),
        test_mode=True,
        pipeline=test_pipeline))
test_evaluator = dict(type='FGOVDAccuracyMetric')
