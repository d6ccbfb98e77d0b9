# F-ViT with the frozen FG-CLIP ViT-L/14 (336 px) on OV-COCO: 3 epochs at
# 896 x 896 with large-scale jitter, 64 images a batch; the schedule of
# fvit_vitb16-fgclip_fpn_8xb8-3e_ov-coco.py.
_base_ = [
    '../_base_/models/fvit_vitl14_fpn.py',
    '../_base_/datasets/ov_coco_detection_896.py',
    '../_base_/schedules/fvit_3e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    data_preprocessor=dict(batch_augments=[
        dict(type='BatchFixedSizePad', size={{_base_.image_size}})
    ]),
    backbone=dict(clip_checkpoint='checkpoints/fgclip_vitl14-336.pth'),
    roi_head=dict(
        bbox_head=dict(
            num_classes={{_base_.num_classes}},
            novel_class_ids={{_base_.novel_class_ids}},
            background_weight=0.6,
            cls_predictor_cfg=dict(
                embeddings='data/embeddings/ov-coco_fgclip-vitl14-336.pt')),
        clip_alpha=0.1,
        clip_beta=0.8,
        clip_temperature=75.0))

default_hooks = dict(
    checkpoint=dict(
        interval=1, max_keep_ckpts=1, save_best='coco/bbox_AP50_novel',
        rule='greater'))
