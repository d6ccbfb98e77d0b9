# F-ViT with the frozen FG-CLIP ViT-L/14 (336 px) on OV-COCO: the recipe of
# fvit_vitb16-fgclip_fpn_8xb8-3e_ov-coco.py (3 epochs, 64 images a batch)
# at 896 x 896 with large-scale jitter, on the tower of
# ../_base_/models/fvit_vitl14_tower.py.
_base_ = [
    './fvit_vitb16-fgclip_fpn_8xb8-3e_ov-coco.py',
    '../_base_/models/fvit_vitl14_tower.py',
]
_configs = __import__('fgclip_det.utils.derived_config', fromlist=['tower_at_size'])

patch_size, strides, vit_width, clip_dim, image_size = _base_.fvit_vitl14.values()
model, train_pipeline, test_pipeline = _configs.tower_at_size(
    _base_.fvit_vitl14_model, image_size, _base_.model,
    (_base_.train_pipeline, _base_.test_pipeline),
    dict(roi_head=dict(bbox_head=dict(cls_predictor_cfg=dict(
        embeddings='data/embeddings/ov-coco_fgclip-vitl14-336.pt')))))

train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
