# FG-CLIP stage 1 on ViT-B/16 at 224 px: image <-> long caption plus
# image <-> short caption (global loss only; regions are not read).
# The public code releases only the stage-2 script, so this stage uses the
# stage-2 optimiser, schedule and checkpointing; with 1.6B pairs a larger lr
# is usual, set it with --cfg-options.
_base_ = ['./fgclip-stage2_vitb16-224px_8xb512-1e_finehard.py']
model = dict(regional_head=None, hard_negative_head=None)
train_dataloader = dict(dataset=dict(max_regions=0))
