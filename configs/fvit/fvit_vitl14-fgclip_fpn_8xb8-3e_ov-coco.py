# F-ViT with the frozen FG-CLIP ViT-L/14 (336 px) on OV-COCO: the recipe of
# fvit_vitb16-fgclip_fpn_8xb8-3e_ov-coco.py (3 epochs, 64 images a batch)
# at 896 x 896 with large-scale jitter, on ViT-L/14: blocks 6, 10, 14, 23,
# the /14 strides p/4, p/2, p, 2p (+ 4p) = 3.5, 7, 14, 28, 56.
_base_ = './fvit_vitb16-fgclip_fpn_8xb8-3e_ov-coco.py'

patch_size = 14
strides = [patch_size / 4, patch_size / 2, patch_size, patch_size * 2]
vit_width = 1024  # token channels of ViT-L
clip_dim = 768  # CLIP embedding width of ViT-L/14
image_size = (896, 896)  # in every size field of the base pipelines
train_pipeline, test_pipeline = ([
    dict(t, **{k: image_size for k in ('scale', 'crop_size') if k in t})
    for t in pipeline] for pipeline in (_base_.train_pipeline, _base_.test_pipeline))

model = dict(
    data_preprocessor=dict(
        pad_size_divisor=patch_size * 2,
        batch_augments=[dict(type='BatchFixedSizePad', size=image_size)]),
    backbone=dict(
        clip=dict(model_name='ViT-L-14-336'), out_indices=[6, 10, 14, 23],
        clip_checkpoint='checkpoints/fgclip_vitl14-336.pth'),
    neck=dict(in_channels=[vit_width] * 4),
    rpn_head=dict(anchor_generator=dict(strides=strides + [patch_size * 4])),
    roi_head=dict(
        bbox_roi_extractor=dict(featmap_strides=strides),
        bbox_head=dict(
            cls_predictor_cfg=dict(
                embeddings='data/embeddings/ov-coco_fgclip-vitl14-336.pt')),
        clip_roi_extractor=dict(
            out_channels=clip_dim, featmap_strides=[patch_size])))

train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
