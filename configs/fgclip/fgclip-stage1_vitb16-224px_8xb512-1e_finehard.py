# FG-CLIP stage 1 on ViT-B/16 at 224 px: image <-> long caption plus
# image <-> short caption (global loss only; regions are not read).
# The public code releases only the stage-2 script, so this stage uses the
# same optimiser and schedule (configs/_base_/schedules/fgclip_1e.py);
# with 1.6B pairs a larger lr is usual, set it with --cfg-options.
_base_ = [
    '../_base_/models/fgclip_vitb16.py',
    '../_base_/datasets/finehard.py',
    '../_base_/schedules/fgclip_1e.py',
    '../_base_/default_runtime.py',
]
train_dataloader = dict(dataset=dict(max_regions=0))
