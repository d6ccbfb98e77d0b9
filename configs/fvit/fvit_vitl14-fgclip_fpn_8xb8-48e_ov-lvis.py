# F-ViT with the frozen FG-CLIP ViT-L/14 (336 px) on OV-LVIS: the recipe of
# fvit_vitb16-fgclip_fpn_8xb8-48e_ov-lvis.py (48 epochs, 64 images a batch,
# a class-agnostic mask head) at 896 x 896 with large-scale jitter, ensemble
# b = 0.4, on the tower of ../_base_/models/fvit_vitl14_tower.py.
# Class embeddings of the 1203 LVIS classes:
#   python tools/build_text_embeddings.py checkpoints/fgclip_vitl14-336.pth \
#       --vocab data/lvis_v1/annotations/lvis_v1_val.json \
#       --out data/embeddings/ov-lvis_fgclip-vitl14-336.pt
_base_ = [
    './fvit_vitb16-fgclip_fpn_8xb8-48e_ov-lvis.py',
    '../_base_/models/fvit_vitl14_tower.py',
]
_configs = __import__('fgclip_det.utils.derived_config', fromlist=['tower_at_size'])

patch_size, strides, vit_width, clip_dim, image_size = _base_.fvit_vitl14.values()
model, train_pipeline, test_pipeline = _configs.tower_at_size(
    _base_.fvit_vitl14_model, image_size, _base_.model,
    (_base_.train_pipeline, _base_.test_pipeline),
    dict(roi_head=dict(
        bbox_head=dict(cls_predictor_cfg=dict(
            embeddings='data/embeddings/ov-lvis_fgclip-vitl14-336.pt')),
        mask_roi_extractor=dict(featmap_strides=strides),
        clip_beta=0.4)))

# the repeat-factor wrapper holds the dataset
train_dataloader = dict(dataset=dict(dataset=dict(pipeline=train_pipeline)))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
