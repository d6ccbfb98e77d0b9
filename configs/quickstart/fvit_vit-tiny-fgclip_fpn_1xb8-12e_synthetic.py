# Quickstart: F-ViT on the synthetic set, on the CPU. Trained on the base
# shapes, it finds the novel ones (star, heart) through the text embeddings.
# The frozen backbone is the tiny CLIP of
# fgclip-stage2_vit-tiny_1xb16-20e_synthetic.py; train that first, then
# embed the shape names with its text tower:
#   python tools/build_text_embeddings.py \
#       work_dirs/fgclip-stage2_vit-tiny_1xb16-20e_synthetic/epoch_20.pth \
#       --config configs/quickstart/fvit_vit-tiny-fgclip_fpn_1xb8-12e_synthetic.py \
#       --prefix clip. --vocab data/synthetic/annotations/instances_val.json \
#       --out data/synthetic/embeddings/shapes_fgclip-tiny.pt
# 200 train images / batch 8 = 25 iterations an epoch.
_base_ = [
    '../_base_/models/fvit_vitb16_fpn.py',
    '../_base_/models/fgclip_vit-tiny.py',
    '../_base_/datasets/synthetic_detection.py',
    '../_base_/default_runtime.py',
]

novel_classes = ('star', 'heart')
novel_class_ids = [3, 7]  # their indices in the dataset's classes
vit_width = {{_base_.tiny_clip_model_cfg.vision_cfg.width}}
clip_dim = {{_base_.tiny_clip_model_cfg.embed_dim}}
channels = 64
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    backbone=dict(
        clip=dict(
            _delete_=True,
            type='FGCLIP',
            model_cfg={{_base_.tiny_clip_model_cfg}}),
        out_indices=[0, 1, 2, 3],
        norm_cfg=norm_cfg,
        clip_checkpoint='work_dirs/fgclip-stage2_vit-tiny_1xb16-20e_synthetic/'
        'epoch_20.pth',
        clip_checkpoint_prefix='clip.clip.visual.'),
    neck=dict(in_channels=[vit_width] * 4, out_channels=channels),
    rpn_head=dict(in_channels=channels, feat_channels=channels),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=channels),
        bbox_head=dict(
            in_channels=channels,
            conv_out_channels=channels,
            fc_out_channels=256,
            norm_cfg=norm_cfg,
            num_classes={{_base_.num_classes}},
            novel_class_ids=novel_class_ids,
            background_weight=0.6,
            cls_predictor_cfg=dict(
                embeddings='data/synthetic/embeddings/shapes_fgclip-tiny.pt')),
        clip_roi_extractor=dict(out_channels=clip_dim)),
    # Few objects an image: 300 proposals and 128 sampled RoIs (512 in the
    # full recipe) keep a CPU step near a second.
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=600, max_per_img=300),
        rcnn=dict(sampler=dict(num=128))))

val_evaluator = dict(
    _delete_=True,
    type='OVCocoMetric',
    ann_file='data/synthetic/annotations/instances_val.json',
    novel_classes=novel_classes)
test_evaluator = val_evaluator

max_epochs = 12
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=4)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05),
    clip_grad=dict(max_norm=1.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(
        type='CosineAnnealingLR',
        by_epoch=True,
        begin=0,
        end=max_epochs,
        eta_min=1e-5)
]

default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(
        interval=4, max_keep_ckpts=1, save_best='coco/bbox_AP50_novel',
        rule='greater'))
log_processor = dict(window_size=5)
auto_scale_lr = dict(enable=False, base_batch_size=8)
