# Quickstart: FG-CLIP 2 stage 2 on the synthetic set, on the CPU in minutes.
# The recipe of configs/fgclip2 (losses and weights, optimiser groups, NaFlex
# inputs) on a tiny random FG-CLIP 2 in the released layout, made by
#   python tools/misc/make_tiny_fgclip2.py checkpoints/fgclip2-tiny
# (width 64, 16 px patches, a word-level tokenizer of the synthetic
# vocabulary), on the FineHARD-format captions of
#   python tools/data/make_synthetic.py data/synthetic
# 1000 train images / batch 16 = 63 iterations an epoch, 315 in all.
_base_ = ['../fgclip2/fgclip2-stage2_base_8xb512-6e_finehard.py']
data_root = 'data/synthetic/'
tiny_fgclip2 = 'checkpoints/fgclip2-tiny'
# 224 px images at 64 patches (128 x 128 px); every batch padded to 64.
max_num_patches = 64
model = dict(
    clip=dict(pretrained=tiny_fgclip2, grad_checkpointing=False),
    data_preprocessor=dict(max_num_patches=max_num_patches))

pipeline = [
    dict(type='LoadCLIPImage'),
    dict(type='NaFlexResize', patch_size=16, max_num_patches=max_num_patches),
    dict(type='PackCLIPInputs', short_caption_prefix={{_base_.short_caption_prefix}}),
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
# From scratch: the quickstart FG-CLIP's lr and clipping
# (configs/quickstart/fgclip-stage2_vit-tiny_1xb16-5e_synthetic.py), not
# the 1e-6 of fine-tuning; AMP becomes fp32 on a CPU (tools/train.py).
optim_wrapper = dict(optimizer=dict(lr=5e-4), clip_grad=dict(max_norm=1.0))
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
    checkpoint=dict(by_epoch=True, interval=max_epochs, max_keep_ckpts=1))
log_processor = dict(window_size=21)
auto_scale_lr = dict(base_batch_size=16)
randomness = dict(seed=0)
