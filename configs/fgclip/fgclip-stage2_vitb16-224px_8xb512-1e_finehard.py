# FG-CLIP stage 2 on ViT-B/16 at 224 px: the stage-1 config plus the
# regional and hard-negative losses (_base_/models/fgclip_stage2.py) on 4
# region boxes an image, starting from the stage-1 checkpoint (`load_from`)
# or, as the public script does, from OpenAI CLIP.
_base_ = [
    './fgclip-stage1_vitb16-224px_8xb512-1e_finehard.py',
    '../_base_/models/fgclip_stage2.py',
]
model = {{_base_.fgclip_stage2_heads}}
train_dataloader = dict(dataset=dict(max_regions={{_base_.max_regions}}))
custom_hooks = {{_base_.fgclip_stage2_hooks}}
