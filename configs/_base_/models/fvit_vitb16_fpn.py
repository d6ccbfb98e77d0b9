# F-ViT (CLIPSelf, ICLR 2024) on the frozen FG-CLIP ViT-B/16.
# Feature strides follow the patch size p: p/4, p/2, p, 2p (+ 4p from the
# FPN) = 4, 8, 16, 32, 64; inputs are padded to a multiple of 2p. The leaf
# config names the class embedding file and the novel classes.
patch_size = 16
strides = [patch_size // 4, patch_size // 2, patch_size, patch_size * 2]
vit_width = 768  # token channels of ViT-B
clip_dim = 512  # CLIP embedding width of ViT-B/16
norm_cfg = dict(type='SyncBN', requires_grad=True)
# The OpenAI CLIP mean / std (fgclip_det.models.clip.constants) on the
# preprocessor's 0-255 pixels (a plain config cannot `import` them).
_clip = __import__('fgclip_det.models.clip.constants', fromlist=['constants'])

model = dict(
    type='FViT',
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[255 * m for m in _clip.CLIP_MEAN],
        std=[255 * s for s in _clip.CLIP_STD],
        bgr_to_rgb=True,
        pad_size_divisor=patch_size * 2),
    backbone=dict(
        type='FViTCLIPBackbone',
        clip=dict(type='FGCLIP', model_name='ViT-B-16', quick_gelu=True),
        out_indices=[3, 5, 7, 11],
        norm_cfg=norm_cfg,
        clip_checkpoint=None,
        # CLIPSelf's F-ViT (F-ViT/models/evaclip_vit.py): the last block runs
        # only attention-free; the last level and the dense map come from it
        last_block='value_path'),
    neck=dict(
        type='FPN',
        in_channels=[vit_width] * 4,
        out_channels=256,
        num_outs=5),
    rpn_head=dict(
        type='RPNHead',
        in_channels=256,
        feat_channels=256,
        anchor_generator=dict(
            type='AnchorGenerator',
            scales=[8],
            ratios=[0.5, 1.0, 2.0],
            strides=strides + [patch_size * 4]),
        bbox_coder=dict(
            type='DeltaXYWHBBoxCoder',
            target_means=[0.0, 0.0, 0.0, 0.0],
            target_stds=[1.0, 1.0, 1.0, 1.0]),
        loss_cls=dict(
            type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0),
        loss_bbox=dict(type='L1Loss', loss_weight=1.0)),
    roi_head=dict(
        type='FViTRoIHead',
        bbox_roi_extractor=dict(
            type='SingleRoIExtractor',
            roi_layer=dict(type='RoIAlign', output_size=7, sampling_ratio=0),
            out_channels=256,
            featmap_strides=strides),
        bbox_head=dict(
            type='FViTBBoxHead',
            num_shared_convs=4,
            num_shared_fcs=2,
            in_channels=256,
            conv_out_channels=256,
            fc_out_channels=1024,
            roi_feat_size=7,
            norm_cfg=norm_cfg,
            num_classes=None,  # the leaf config's vocabulary
            novel_class_ids=[],
            background_weight=1.0,
            reg_class_agnostic=True,
            bbox_coder=dict(
                type='DeltaXYWHBBoxCoder',
                target_means=[0.0, 0.0, 0.0, 0.0],
                target_stds=[0.1, 0.1, 0.2, 0.2]),
            cls_predictor_cfg=dict(
                type='TextEmbeddingClassifier',
                embeddings=None,  # the leaf config's embedding file
                learn_embeddings=False,
                learn_background=True),
            loss_cls=dict(
                type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
            loss_bbox=dict(type='L1Loss', loss_weight=1.0)),
        # test-time ensemble with the dense CLIP map, RoI-pooled to 1x1
        clip_roi_extractor=dict(
            type='SingleRoIExtractor',
            roi_layer=dict(
                type='RoIAlign', output_size=1, sampling_ratio=0,
                aligned=True),
            out_channels=clip_dim,
            featmap_strides=[patch_size]),
        clip_alpha=0.1,
        clip_beta=0.8,
        clip_temperature=75.0),
    train_cfg=dict(
        rpn=dict(
            assigner=dict(
                type='MaxIoUAssigner',
                pos_iou_thr=0.7,
                neg_iou_thr=0.3,
                min_pos_iou=0.3,
                match_low_quality=True,
                ignore_iof_thr=-1),
            sampler=dict(
                type='RandomSampler',
                num=256,
                pos_fraction=0.5,
                neg_pos_ub=-1,
                add_gt_as_proposals=False),
            allowed_border=-1,
            pos_weight=-1,
            debug=False),
        rpn_proposal=dict(
            nms_pre=2000,
            max_per_img=1000,
            nms=dict(type='nms', iou_threshold=0.7),
            min_bbox_size=0),
        rcnn=dict(
            assigner=dict(
                type='MaxIoUAssigner',
                pos_iou_thr=0.5,
                neg_iou_thr=0.5,
                min_pos_iou=0.5,
                match_low_quality=False,
                ignore_iof_thr=-1),
            sampler=dict(
                type='RandomSampler',
                num=512,
                pos_fraction=0.25,
                neg_pos_ub=-1,
                add_gt_as_proposals=True),
            pos_weight=-1,
            debug=False)),
    test_cfg=dict(
        rpn=dict(
            nms_pre=1000,
            max_per_img=1000,
            nms=dict(type='nms', iou_threshold=0.7),
            min_bbox_size=0),
        rcnn=dict(
            score_thr=0.01,
            nms=dict(type='nms', iou_threshold=0.5),
            max_per_img=100)))
