# F-ViT with the frozen FG-CLIP ViT-B/16 on OV-COCO: 3 epochs at 640 x 640
# with large-scale jitter, 8 GPUs x 8 images = 64 a batch.
# Before training:
#   python tools/data/make_ov_coco.py \
#       data/coco/annotations/instances_train2017.json \
#       data/coco/annotations/instances_train2017_ov-base.json
#   python tools/build_text_embeddings.py checkpoints/fgclip_vitb16.pth \
#       --vocab data/coco/annotations/instances_train2017_ov-base.json \
#       --out data/embeddings/ov-coco_fgclip-vitb16.pt
_base_ = [
    '../_base_/models/fvit_vitb16_fpn.py',
    '../_base_/datasets/ov_coco_detection.py',
    '../_base_/schedules/fvit_3e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    data_preprocessor=dict(batch_augments=[
        dict(type='BatchFixedSizePad', size={{_base_.image_size}})
    ]),
    backbone=dict(clip_checkpoint='checkpoints/fgclip_vitb16.pth'),
    roi_head=dict(
        bbox_head=dict(
            num_classes={{_base_.num_classes}},
            novel_class_ids={{_base_.novel_class_ids}},
            background_weight=0.6,
            cls_predictor_cfg=dict(
                embeddings='data/embeddings/ov-coco_fgclip-vitb16.pt')),
        clip_alpha=0.1,
        clip_beta=0.8,
        clip_temperature=75.0))

default_hooks = dict(
    checkpoint=dict(
        interval=1, max_keep_ckpts=1, save_best='coco/bbox_AP50_novel',
        rule='greater'))
