# F-ViT on the frozen FG-CLIP ViT-L/14 (336 px pretraining): the ViT-B/16
# model with the /14 strides p/4, p/2, p, 2p (+ 4p) = 3.5, 7, 14, 28, 56.
_base_ = './fvit_vitb16_fpn.py'

patch_size = 14
strides = [patch_size / 4, patch_size / 2, patch_size, patch_size * 2]
vit_width = 1024  # token channels of ViT-L
clip_dim = 768  # CLIP embedding width of ViT-L/14

model = dict(
    data_preprocessor=dict(pad_size_divisor=patch_size * 2),
    backbone=dict(
        clip=dict(model_name='ViT-L-14-336'), out_indices=[6, 10, 14, 23]),
    neck=dict(in_channels=[vit_width] * 4),
    rpn_head=dict(
        anchor_generator=dict(strides=strides + [patch_size * 4])),
    roi_head=dict(
        bbox_roi_extractor=dict(featmap_strides=strides),
        clip_roi_extractor=dict(
            out_channels=clip_dim, featmap_strides=[patch_size])))
