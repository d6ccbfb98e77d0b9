# F-ViT with a frozen CLIPSelf-refined EVA-02-CLIP B/16 on OV-COCO: the
# recipe of fvit_eva02-b16_fpn_8xb8-3e_ov-coco.py with the tower CLIPSelf
# refined on COCO region proposals, as CLIPSelf's F-ViT/configs/ov_coco/
# fvit_vitb16_upsample_fpn_bs64_3e_ovcoco_eva_clipself_proposals.py
# (github.com/wusize/CLIPSelf; it changes only backbone.pretrained).
# Reported in CLIPSelf's F-ViT/README.md (OV-COCO table, row 2): 37.6 novel
# AP50 (not a result of this toolkit); the image-patch tower
# eva_vitb16_coco_clipself_patches.pt: 33.6.
#
# The checkpoint: checkpoints/eva_vitb16_coco_clipself_proposals.pt from the
# CLIPSelf README's Drive folder. Its layout, read from the code that writes
# and reads it (CLIPSelf src/training/main.py saves
# {'state_dict': model.state_dict(), 'optimizer', 'epoch', 'name'} of its
# EVA-CLIP fork's CustomCLIP; F-ViT/models/evaclip_vit.py loads it through
# src/open_clip/eva_clip/factory.py load_checkpoint) is EVA-CLIP's own:
#   visual.cls_token, visual.pos_embed, visual.patch_embed.proj.*,
#   visual.blocks.N.attn.{q,k,v}_proj.weight, visual.blocks.N.attn.q_bias,
#   visual.blocks.N.attn.v_bias, visual.blocks.N.attn.inner_attn_ln.*,
#   visual.blocks.N.mlp.{w1,w2,ffn_ln,w3}.*, visual.rope.freqs_{cos,sin},
#   visual.norm.*, visual.head.*, text.*, logit_scale (the rope buffers
#   also under each visual.blocks.N.attn.rope).
# open_clip's EVA02-B-16 is a timm Eva trunk: visual.trunk.blocks.N.attn.
# q_proj.bias, ... mlp.fc1_g / fc1_x / norm / fc2, visual.trunk.head.*, so
# clip_checkpoint_layout='eva_clip' renames the keys with timm's
# timm.models.eva.checkpoint_filter_fn before the strict load
# (fgclip_det/models/clip/eva_clip_layout.py).
# A tower saved as an open_clip state dict of EVA02-B-16 (visual.trunk.*)
# loads as it is; check the layout of other releases (FineCLIP, DeCLIP)
# before pointing clip_checkpoint at them.
#
# The text tower is EVA-02-CLIP's (CLIPSelf's loss uses image features
# only, src/training/clipself.py; its F-ViT configs use one class embedding
# file for the original and the refined tower): the
# embedding file of fvit_eva02-b16_fpn_8xb8-3e_ov-coco.py, built there.
_base_ = './fvit_eva02-b16_fpn_8xb8-3e_ov-coco.py'

model = dict(
    backbone=dict(
        clip=dict(pretrained=None),  # the architecture only
        clip_checkpoint='checkpoints/eva_vitb16_coco_clipself_proposals.pt',
        clip_checkpoint_prefix='visual.',
        clip_checkpoint_layout='eva_clip'))
