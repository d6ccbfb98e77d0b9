# FG-CLIP stage 2 on ViT-B/16 at 224 px: global + regional + hard-negative
# losses, total = L_long + L_short + 0.1 L_region + 0.5 L_hard, starting from
# the stage-1 checkpoint (`load_from`) or, as the public script does, from
# OpenAI CLIP. 8 devices x 512 images, one epoch of FineHARD.
_base_ = [
    '../_base_/models/fgclip_vitb16.py',
    '../_base_/datasets/finehard.py',
    '../_base_/schedules/fgclip_1e.py',
    '../_base_/default_runtime.py',
]
model = dict(
    regional_head=dict(type='RegionalContrastiveHead', loss_weight=0.1),
    hard_negative_head=dict(type='HardNegativeHead', loss_weight=0.5))
# The regional and hard-negative logit scales start at the loaded model's
# global one (100 for OpenAI CLIP), as in the public stage-2 script: copied
# before the first iteration, after `load_from`; a resumed run keeps its own
# (model.init_region_scales_from_global=False keeps the loaded ones).
custom_hooks = [dict(type='InitRegionScalesHook')]
# One epoch is thousands of iterations: save every 500 (keeping the newest
# 2) so that a stopped run resumes mid-epoch (ResumableEpochBasedTrainLoop).
default_hooks = dict(
    checkpoint=dict(by_epoch=False, interval=500, max_keep_ckpts=2))
