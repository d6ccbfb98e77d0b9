# Quickstart: FG-CLIP stage 2 on the synthetic set, on the CPU in minutes.
# The tiny CLIP of configs/_base_/models/fgclip_vit-tiny.py trained from
# scratch with the three FG-CLIP losses on the FineHARD-format captions of
# tools/data/make_synthetic.py (region expressions at several levels of
# detail; 10 hard negatives a region, as FineHARD, that change the shape or
# one named attribute). Validation reports the hard-negative accuracy (region
# caption ranked first among 1 + 10) and retrieval recall on the synthetic
# val split. Measured figures: docs/pretraining.md.
# 1000 train images / batch 16 = 63 iterations an epoch, 315 in all.
_base_ = [
    '../_base_/models/fgclip_vit-tiny.py',
    '../_base_/datasets/finehard.py',
    '../_base_/schedules/fgclip_1e.py',
    '../_base_/default_runtime.py',
]
data_root = 'data/synthetic/'
image_size = {{_base_.tiny_clip_image_size}}
# From scratch, the regional and hard-negative losses carry the shape names
# (bare-name region captions, shape-changing negatives): weighted as the
# global loss, not 0.1 / 0.5 as when FG-CLIP fine-tunes a pretrained CLIP.
model = dict(
    type='FGCLIPPretrainer',
    clip={{_base_.tiny_clip}},
    global_head=dict(type='GlobalContrastiveHead'),
    regional_head=dict(type='RegionalContrastiveHead', loss_weight=1.0),
    hard_negative_head=dict(type='HardNegativeHead', loss_weight=1.0))
# The stage-2 data recipe of configs/_base_/datasets/finehard.py ("a photo
# of " before the short captions; short or long region expressions, 50/50)
# and logit scales started at the global one (the same value from scratch,
# log(1 / 0.07); it matters with `load_from`).
custom_hooks = [dict(type='InitRegionScalesHook')]

pipeline = [
    dict(type='LoadCLIPImage'),
    dict(type='ResizeToSquare', size=image_size),
    dict(
        type='PackCLIPInputs',
        short_caption_prefix={{_base_.short_caption_prefix}}),
]
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    pin_memory=False,
    dataset=dict(
        data_root=data_root,
        ann_file='finehard/train.json',
        data_prefix=dict(img_path=''),
        pipeline=pipeline))
val_dataloader = dict(
    batch_size=16,
    num_workers=2,
    dataset=dict(
        data_root=data_root,
        ann_file='finehard/val.json',
        data_prefix=dict(img_path=''),
        pipeline=pipeline))
test_dataloader = val_dataloader

max_epochs = 5
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
# fp32 on the CPU; from scratch, so a larger learning rate than fine-tuning.
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=5e-4, weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0, bypass_duplicate=True),
    clip_grad=dict(max_norm=1.0))
warmup_iters = 50
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=warmup_iters),
    dict(
        type='CosineAnnealingLR',
        by_epoch=True,
        begin=0,
        end=max_epochs,
        eta_min=1e-5,
        convert_to_iter_based=True),
]
default_hooks = dict(
    logger=dict(interval=21),
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))
log_processor = dict(window_size=21)
auto_scale_lr = dict(base_batch_size=16)
# Seeded, so that the initial weights can be saved apart and tested as the
# untrained baseline (docs/pretraining.md).
randomness = dict(seed=0)
