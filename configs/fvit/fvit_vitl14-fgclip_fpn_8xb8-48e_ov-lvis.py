# F-ViT with the frozen FG-CLIP ViT-L/14 (336 px) on OV-LVIS: the recipe of
# fvit_vitb16-fgclip_fpn_8xb8-48e_ov-lvis.py (48 epochs, 64 images a batch,
# a class-agnostic mask head) at 896 x 896 with large-scale jitter, ensemble
# b = 0.4, on ViT-L/14 with the tower keys of
# fvit_vitl14-fgclip_fpn_8xb8-3e_ov-coco.py (keep the two in step).
# Class embeddings of the 1203 LVIS classes:
#   python tools/build_text_embeddings.py checkpoints/fgclip_vitl14-336.pth \
#       --vocab data/lvis_v1/annotations/lvis_v1_val.json \
#       --out data/embeddings/ov-lvis_fgclip-vitl14-336.pt
_base_ = './fvit_vitb16-fgclip_fpn_8xb8-48e_ov-lvis.py'

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
        batch_augments=[
            dict(type='BatchFixedSizePad', size=image_size, pad_mask=True)
        ]),
    backbone=dict(
        clip=dict(model_name='ViT-L-14-336'), out_indices=[6, 10, 14, 23],
        clip_checkpoint='checkpoints/fgclip_vitl14-336.pth'),
    neck=dict(in_channels=[vit_width] * 4),
    rpn_head=dict(anchor_generator=dict(strides=strides + [patch_size * 4])),
    roi_head=dict(
        bbox_roi_extractor=dict(featmap_strides=strides),
        bbox_head=dict(
            cls_predictor_cfg=dict(
                embeddings='data/embeddings/ov-lvis_fgclip-vitl14-336.pt')),
        clip_roi_extractor=dict(
            out_channels=clip_dim, featmap_strides=[patch_size]),
        mask_roi_extractor=dict(featmap_strides=strides),
        clip_beta=0.4))

# the repeat-factor wrapper holds the dataset
train_dataloader = dict(dataset=dict(dataset=dict(pipeline=train_pipeline)))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
