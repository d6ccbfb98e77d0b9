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
    '../_base_/datasets/synthetic_finehard.py',
    '../_base_/schedules/fgclip_1e.py',
    '../_base_/schedules/synthetic_pretraining.py',
    '../_base_/default_runtime.py',
]
data_root = {{_base_.synthetic_data_root}}
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

# The FineHARD pipeline at the tiny CLIP's input size.
_transforms = __import__('fgclip_det.datasets.transforms', fromlist=['at_size'])
_configs = __import__('fgclip_det.utils.derived_config', fromlist=['with_pipeline'])
pipeline = _transforms.at_size(_base_.train_pipeline, image_size)
train_dataloader, val_dataloader = _configs.with_pipeline(
    pipeline, _base_.synthetic_train_loader, _base_.synthetic_val_loader)
test_dataloader = val_dataloader

# fp32 on the CPU, the recipe's AdamW groups at the quickstart's lr.
# fused=True: torch's one-kernel AdamW, the same update (docs/benchmarks.md)
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr={{_base_.synthetic_lr}}, weight_decay=0.05,
                   fused=True),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0, bypass_duplicate=True),
    clip_grad={{_base_.synthetic_clip_grad}})
max_epochs, train_cfg, param_scheduler, log_processor, auto_scale_lr = (
    _base_.synthetic_schedule.values())
warmup_iters = {{_base_.synthetic_warmup_iters}}
default_hooks = dict(
    logger=dict(interval={{_base_.synthetic_log_interval}}),
    checkpoint={{_base_.synthetic_checkpoint}})
