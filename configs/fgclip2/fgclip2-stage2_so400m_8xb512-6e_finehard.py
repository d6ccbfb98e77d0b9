# FG-CLIP 2 stage 2 on the SO400M model (SigLIP 2 SO400M/16 NaFlex towers):
# the recipe of fgclip2-stage2_base_8xb512-6e_finehard.py from the released
# qihoo360/fg-clip2-so400m folder (its config.json gives the sizes). For
# more than one GPU's memory, the _fsdp / _deepspeed variants shard it.
_base_ = ['./fgclip2-stage2_base_8xb512-6e_finehard.py']
model = dict(clip=dict(pretrained='checkpoints/fg-clip2-so400m'))
