# FG-CLIP stage 1 on ViT-L/14 at 336 px: the stage-2 ViT-L/14 config with
# the global loss only (see the ViT-B/16 stage-1 config for the schedule).
_base_ = ['./fgclip-stage2_vitl14-336px_8xb512-1e_finehard.py']
model = dict(regional_head=None, hard_negative_head=None)
train_dataloader = dict(dataset=dict(max_regions=0))
