# FineHARD-layout pretraining data (README, "Data preparation"): one JSON
# record per image with `caption` (long), `short_caption` and `bbox_info`.
# Images are resized to a square, as FG-CLIP does.
dataset_type = 'FineHARDDataset'
data_root = 'data/finehard/'
image_size = 224
max_regions = 4  # boxes an image (FG-CLIP)
# The public stage-2 dataset (fgclip/train/train_fgclip.py,
# LazySupervisedBboxDataset.__getitem__): "a photo of " before every short
# caption (not the long caption, region expressions or hard negatives), and
# each region captioned by its short or its long expression at random, 50/50
# (training only: validation keeps the short expression). The hard
# negatives always pair with the short expression.
short_caption_prefix = 'a photo of '
long_region_caption_prob = 0.5

train_pipeline = [
    dict(type='LoadCLIPImage'),
    dict(type='ResizeToSquare', size=image_size),
    dict(type='PackCLIPInputs', short_caption_prefix=short_caption_prefix),
]
test_pipeline = train_pipeline

train_dataloader = dict(
    batch_size=512,
    num_workers=8,
    pin_memory=True,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='train.json',
        data_prefix=dict(img_path='images/'),
        max_regions=max_regions,
        long_region_caption_prob=long_region_caption_prob,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='val.json',
        data_prefix=dict(img_path='images/'),
        max_regions=max_regions,
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

# FG-OVD-style accuracy (positive ranked first among 1 + 10) and retrieval.
val_evaluator = dict(type='FineGrainedRankingMetric', recall_ks=(1, 5))
test_evaluator = val_evaluator
