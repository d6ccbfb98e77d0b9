# What FG-CLIP stage 2 adds to a stage-1 config (the public stage-2
# script): the regional and hard-negative heads, total = L_long + L_short +
# 0.1 L_region + 0.5 L_hard, and their logit scales started at the loaded
# model's global one (100 for OpenAI CLIP): copied before the first
# iteration, after `load_from`; a resumed run keeps its own
# (model.init_region_scales_from_global=False keeps the loaded ones).
# Variables, read by the stage-2 leaves, because the stage-1 config they
# extend already defines `model` and `custom_hooks`.
fgclip_stage2_heads = dict(
    regional_head=dict(type='RegionalContrastiveHead', loss_weight=0.1),
    hard_negative_head=dict(type='HardNegativeHead', loss_weight=0.5))
fgclip_stage2_hooks = [dict(type='InitRegionScalesHook')]
