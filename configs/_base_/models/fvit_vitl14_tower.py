# The frozen FG-CLIP ViT-L/14 (336 px) as F-ViT's tower at 896 x 896, for
# the configs/fvit/fvit_vitl14-fgclip_*.py leaves. Each inherits its
# ViT-B/16 leaf and this file, takes the facts below as its own top-level
# variables and applies fvit_vitl14_model to its recipe with
# fgclip_det.utils.derived_config.tower_at_size (the model changes merged,
# the pipelines and batch padding at image_size).
# Blocks 6, 10, 14, 23; the /14 strides p/4, p/2, p, 2p (+ 4p from the FPN)
# = 3.5, 7, 14, 28, 56; inputs padded to a multiple of 2p. The leaves unpack
# fvit_vitl14's values in this order.
fvit_vitl14 = dict(
    patch_size=14,
    strides=[3.5, 7.0, 14, 28],
    vit_width=1024,  # token channels of ViT-L
    clip_dim=768,  # CLIP embedding width of ViT-L/14
    image_size=(896, 896))
fvit_vitl14_model = dict(
    data_preprocessor=dict(pad_size_divisor=fvit_vitl14['patch_size'] * 2),
    backbone=dict(
        clip=dict(model_name='ViT-L-14-336'), out_indices=[6, 10, 14, 23],
        clip_checkpoint='checkpoints/fgclip_vitl14-336.pth'),
    neck=dict(in_channels=[fvit_vitl14['vit_width']] * 4),
    rpn_head=dict(anchor_generator=dict(
        strides=fvit_vitl14['strides'] + [fvit_vitl14['patch_size'] * 4])),
    roi_head=dict(
        bbox_roi_extractor=dict(featmap_strides=fvit_vitl14['strides']),
        clip_roi_extractor=dict(
            out_channels=fvit_vitl14['clip_dim'],
            featmap_strides=[fvit_vitl14['patch_size']])))
