# FG-CLIP stage 1 on ViT-B/16 at 224 px: image <-> long caption plus
# image <-> short caption (global loss only; regions are not read).
# The public code releases only the stage-2 script, so this stage uses the
# stage-2 optimiser, schedule and checkpointing; with 1.6B pairs a larger lr
# is usual, set it with --cfg-options. 8 devices x 512 images, one epoch.
_base_ = [
    '../_base_/models/fgclip_vitb16.py',
    '../_base_/datasets/finehard.py',
    '../_base_/schedules/fgclip_1e.py',
    '../_base_/default_runtime.py',
]
train_dataloader = dict(dataset=dict(max_regions=0))
# One epoch is thousands of iterations: save every 500 (keeping the newest
# 2) so that a stopped run resumes mid-epoch (ResumableEpochBasedTrainLoop).
default_hooks = dict(
    checkpoint=dict(by_epoch=False, interval=500, max_keep_ckpts=2))
