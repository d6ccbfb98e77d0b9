# Quickstart: FG-CLIP 2 stage 2 on the synthetic set, on the CPU in minutes.
# The recipe of configs/fgclip2 (losses and weights, optimiser groups, NaFlex
# inputs) on a tiny random FG-CLIP 2 in the released layout, made by
#   python tools/misc/make_tiny_fgclip2.py checkpoints/fgclip2-tiny
# (width 64, 16 px patches, a word-level tokenizer of the synthetic
# vocabulary), on the FineHARD-format captions of
#   python tools/data/make_synthetic.py data/synthetic
# 1000 train images / batch 16 = 63 iterations an epoch, 315 in all.
_base_ = [
    '../fgclip2/fgclip2-stage2_base_8xb512-6e_finehard.py',
    '../_base_/datasets/synthetic_finehard.py',
    '../_base_/schedules/synthetic_pretraining.py',
]
data_root = {{_base_.synthetic_data_root}}
tiny_fgclip2 = 'checkpoints/fgclip2-tiny'
# 224 px images at 64 patches (128 x 128 px); every batch padded to 64.
max_num_patches = 64
model = dict(
    clip=dict(pretrained=tiny_fgclip2, grad_checkpointing=False),
    data_preprocessor=dict(max_num_patches=max_num_patches))

_configs = __import__('fgclip_det.utils.derived_config', fromlist=['with_pipeline'])
pipeline = [
    dict(type='LoadCLIPImage'),
    dict(type='NaFlexResize', patch_size=16, max_num_patches=max_num_patches),
    dict(type='PackCLIPInputs', short_caption_prefix={{_base_.short_caption_prefix}}),
]
train_dataloader, val_dataloader = _configs.with_pipeline(
    pipeline, _base_.synthetic_train_loader, _base_.synthetic_val_loader)
test_dataloader = val_dataloader

# From scratch: the quickstart's lr and clipping, not the 1e-6 of
# fine-tuning; AMP becomes fp32 on a CPU (tools/train.py).
optim_wrapper = dict(
    optimizer=dict(lr={{_base_.synthetic_lr}}),
    clip_grad={{_base_.synthetic_clip_grad}})
max_epochs, train_cfg, param_scheduler, log_processor, auto_scale_lr = (
    _base_.synthetic_schedule.values())
# Epoch checkpoints (the recipe saves every 2000 iterations).
default_hooks = dict(
    logger=dict(interval={{_base_.synthetic_log_interval}}),
    checkpoint=dict(_base_.synthetic_checkpoint, by_epoch=True))
