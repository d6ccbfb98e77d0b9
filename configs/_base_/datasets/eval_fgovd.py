# FG-OVD (Bianchi et al., CVPR 2024) as FG-CLIP evaluates it: each box is
# scored against its positive and 10 negative descriptions (region feature
# = RoIAlign of the dense map, texts on the short path); accuracy per
# difficulty file. The jsonl files are under data/fgovd/, the images their
# `img_path`s name (`val2017/...`) under data/coco/.
data_root = 'data/'
fgovd_files = [
    'fgovd/h_attributes_llava.jsonl',  # hard
    'fgovd/m_attributes_llava.jsonl',  # medium
    'fgovd/e_attributes_llava.jsonl',  # easy
    'fgovd/shuffle_negatives_llava.jsonl',  # trivial
]
image_size = 224

model = dict(
    type='CLIPFGOVDRanker',
    region_mode='roi',
    data_preprocessor=dict(
        type='CLIPEvalDataPreprocessor', size=image_size, resize='stretch'))

test_pipeline = [
    dict(type='LoadCLIPImage'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'texts',
                    'test_type')),
]
test_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='FGOVDBenchmarkDataset',
        data_root=data_root,
        ann_files=fgovd_files,
        data_prefix=dict(img='coco/'),
        test_mode=True,
        pipeline=test_pipeline))
test_evaluator = dict(type='FGOVDAccuracyMetric')
test_cfg = dict(type='TestLoop')
