# F-ViT with the frozen FG-CLIP ViT-B/16 on OV-LVIS: 48 epochs at
# 1024 x 1024 with large-scale jitter, 64 images a batch, a class-agnostic
# mask head. Class embeddings of the 1203 LVIS classes:
#   python tools/build_text_embeddings.py checkpoints/fgclip_vitb16.pth \
#       --vocab data/lvis_v1/annotations/lvis_v1_val.json \
#       --out data/embeddings/ov-lvis_fgclip-vitb16.pt
_base_ = [
    '../_base_/models/fvit_vitb16_fpn.py',
    '../_base_/models/fvit_mask_head.py',
    '../_base_/datasets/ov_lvis_instance.py',
    '../_base_/schedules/fvit_48e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    data_preprocessor=dict(batch_augments=[
        dict(type='BatchFixedSizePad', size={{_base_.image_size}},
             pad_mask=True)
    ]),
    backbone=dict(clip_checkpoint='checkpoints/fgclip_vitb16.pth'),
    roi_head=dict(
        bbox_head=dict(
            num_classes={{_base_.num_classes}},
            novel_class_ids={{_base_.novel_class_ids}},
            background_weight=0.9,
            cls_predictor_cfg=dict(
                embeddings='data/embeddings/ov-lvis_fgclip-vitb16.pt')),
        mask_roi_extractor=dict(
            _base_.fvit_mask_roi_extractor, featmap_strides=_base_.strides),
        mask_head=dict(_base_.fvit_mask_head, num_classes=_base_.num_classes),
        clip_alpha=0.1,
        clip_beta=0.6,
        clip_temperature=50.0),
    train_cfg=_base_.fvit_mask_train_cfg,
    test_cfg=dict(
        rcnn=dict(score_thr=1e-4, max_per_img=300, mask_thr_binary=0.5)))

default_hooks = dict(
    checkpoint=dict(
        interval=4, max_keep_ckpts=2, save_best='lvis/segm_APr',
        rule='greater'))
