# Quickstart: F-ViT on the synthetic set, on the CPU. Trained on the base
# shapes, it finds the novel ones (star, heart) through the text embeddings.
# The frozen backbone is the tiny CLIP of
# fgclip-stage2_vit-tiny_1xb16-12e_synthetic.py; train that first, then
# embed the shape names with its text tower (the prompts below):
#   python tools/build_text_embeddings.py \
#       work_dirs/fgclip-stage2_vit-tiny_1xb16-12e_synthetic/epoch_5.pth \
#       --config configs/quickstart/fvit_vit-tiny-fgclip_fpn_1xb8-2e_synthetic.py \
#       --prefix clip. --vocab data/synthetic/annotations/instances_val.json \
#       --out data/synthetic/embeddings/shapes_fgclip-tiny.pt
# ~830 train images with a base-shape box / batch 8 = 104 iterations an
# epoch, at 128 px (the CLIP's pretraining resolution).
_base_ = [
    '../_base_/models/fvit_vitb16_fpn.py',
    '../_base_/models/fgclip_vit-tiny.py',
    '../_base_/datasets/synthetic_detection.py',
    '../_base_/datasets/synthetic_prompts.py',
    '../_base_/schedules/synthetic_detection.py',
    '../_base_/default_runtime.py',
]

novel_classes = ('star', 'heart')
novel_class_ids = [3, 7]  # their indices in the dataset's classes
vit_width = {{_base_.tiny_clip_model_cfg.vision_cfg.width}}
clip_dim = {{_base_.tiny_clip_model_cfg.embed_dim}}
# Strides follow the patch size p (p / 4, p / 2, p, 2p, + 4p from the FPN),
# as in the base F-ViT; the tiny CLIP's patch is 8 (tiny_clip_patch_size,
# checked by the config tests: a base variable cannot enter arithmetic).
patch_size = 8
strides = [patch_size // 4, patch_size // 2, patch_size, patch_size * 2]
channels = 64
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    data_preprocessor=dict(pad_size_divisor=patch_size * 2),
    backbone=dict(
        clip=dict(
            _delete_=True,
            type='FGCLIP',
            model_cfg={{_base_.tiny_clip_model_cfg}}),
        out_indices=[0, 1, 2, 3],
        norm_cfg=norm_cfg,
        clip_checkpoint='work_dirs/fgclip-stage2_vit-tiny_1xb16-12e_synthetic/'
        'epoch_5.pth',
        clip_checkpoint_prefix='clip.clip.visual.',
        # the setting the quickstart figures were measured with; the full
        # configs run CLIPSelf's attention-free last block
        last_block='attention'),
    neck=dict(in_channels=[vit_width] * 4, out_channels=channels),
    rpn_head=dict(
        in_channels=channels,
        feat_channels=channels,
        anchor_generator=dict(strides=strides + [patch_size * 4])),
    roi_head=dict(
        # 2 x 2 samples a bin: the CPU RoIAlign's adaptive sampling on the
        # stride-2 level took half of a training step.
        bbox_roi_extractor=dict(
            roi_layer=dict(sampling_ratio=2),
            out_channels=channels,
            featmap_strides=strides),
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
        clip_roi_extractor=dict(
            out_channels=clip_dim, featmap_strides=[patch_size]),
        # The CLIP logits' scale is the tiny CLIP's own (its logit_scale
        # stays near 1 / 0.07 = 14.3), not OpenAI CLIP's 100 that the 75 of
        # the full recipe is tuned for.
        clip_temperature=15.0),
    # At most 4 objects an image: 300 proposals and 64 sampled RoIs (512 in
    # the full recipe) keep a CPU step near a second.
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=600, max_per_img=300),
        rcnn=dict(sampler=dict(num=64))),
    test_cfg=dict(rpn=dict(nms_pre=600, max_per_img=300)))

val_evaluator = dict(
    _delete_=True,
    type='OVCocoMetric',
    ann_file='data/synthetic/annotations/instances_val.json',
    novel_classes=novel_classes)
test_evaluator = val_evaluator

# The synthetic-detection schedule over 2 epochs, gradients clipped at 1.
max_epochs = 2
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(clip_grad=dict(max_norm=1.0))
param_scheduler = [
    _base_.param_scheduler[0], dict(_base_.param_scheduler[1], end=max_epochs)]

default_hooks = dict(
    logger=dict(interval=26),
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))
log_processor = dict(window_size=26)
