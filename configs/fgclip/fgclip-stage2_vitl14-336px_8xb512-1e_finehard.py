# FG-CLIP stage 2 on ViT-L/14 at 336 px: the ViT-L/14 stage-1 config plus
# the stage-2 losses (see the ViT-B/16 stage-2 config).
_base_ = [
    './fgclip-stage1_vitl14-336px_8xb512-1e_finehard.py',
    '../_base_/models/fgclip_stage2.py',
]
model = {{_base_.fgclip_stage2_heads}}
train_dataloader = dict(dataset=dict(max_regions={{_base_.max_regions}}))
custom_hooks = {{_base_.fgclip_stage2_hooks}}
