# F-ViT with the frozen EVA-02-CLIP B/16 on OV-COCO, with CLIPSelf's F-ViT
# recipe: github.com/wusize/CLIPSelf (commit 1c7fe9c),
# F-ViT/configs/ov_coco/fvit_vitb16_upsample_fpn_bs64_3e_ovcoco_eva_original.py
# ("CLIPSelf cfg" below). Values this toolkit's base configs already share
# with it (each from the CLIPSelf cfg):
#   backbone out_indices=[3, 5, 7, 11];
#   anchor strides [4, 8, 16, 32, 64], bbox_roi_extractor [4, 8, 16, 32],
#   vlm_roi_extractor featmap_strides=[16] (our clip_roi_extractor);
#   image_size = (640, 640) (large-scale jitter, ratio_range (0.1, 2.0));
#   bbox_head alpha=0.1, beta=0.8 (our roi_head.clip_alpha / clip_beta),
#   vlm_temperature=75.0 (our clip_temperature), learned_temperature=50.0
#   (TextEmbeddingClassifier's initial scale), class_weight of the
#   background 0.6 and 0 for the 17 novel classes (our background_weight,
#   novel_class_ids); test rcnn score_thr=0.01;
#   optimizer AdamW lr=0.0001, weight_decay=0.1; grad_clip max_norm=1.0;
#   runner max_epochs=3; samples_per_gpu=8 x 8 GPUs, base_batch_size=64.
# Values set here (each from the CLIPSelf cfg): the model fragment's ones
# below, and lr_config warmup 250 iterations linear from 0.001 with
# step=[100], i.e. no decay in the 3 epochs (this toolkit's schedule decays
# after epoch 2). Not taken: fp16 loss_scale=512 (CUDA AMP is a run-time
# choice here) and the CLIPSelf cfg's Normalize with the ImageNet mean / std
# (123.675, 116.28, 103.53 / 58.395, 57.12, 57.375): the tower is
# normalised as it was trained, with the OpenAI CLIP mean / std of
# open_clip.get_pretrained_cfg('EVA02-B-16', 'merged2b_s8b_b131k'), which
# the base data_preprocessor already has.
# The tower: open_clip's EVA02-B-16 (a timm Eva trunk with RoPE),
# 'merged2b_s8b_b131k' = EVA02_CLIP_B_psz16_s8B.pt of EVA-CLIP, the file the
# CLIPSelf cfg loads; downloaded when the model is built. Dense map: the
# value path of the last block, final norm and head (CLIPSelf's
# F-ViT/models/evaclip_vit.py, EvaCLIPViT.forward).
# Reported by the CLIPSelf paper: 17.5 novel AP50 (not a result of this
# toolkit).
# Class embeddings from the same CLIP's text tower:
#   python tools/build_text_embeddings.py --model-name EVA02-B-16 \
#       --pretrained merged2b_s8b_b131k \
#       --vocab data/coco/annotations/instances_train2017_ov-base.json \
#       --out data/embeddings/ov-coco_eva02-clip-b16.pt
_base_ = './fvit_vitb16-fgclip_fpn_8xb8-3e_ov-coco.py'

model = dict(
    backbone=dict(
        clip=dict(
            _delete_=True,  # not the base's quick_gelu
            type='FGCLIP',
            model_name='EVA02-B-16',
            pretrained='merged2b_s8b_b131k'),
        out_indices=[3, 5, 7, 11],
        clip_checkpoint=None),
    neck=dict(norm_cfg={{_base_.norm_cfg}}),  # CLIPSelf cfg: neck norm_cfg
    rpn_head=dict(num_convs=2),  # CLIPSelf cfg: rpn_head num_convs=2
    roi_head=dict(
        bbox_head=dict(
            fc_out_channels=512,  # CLIPSelf cfg: bbox_head fc_out_channels
            cls_predictor_cfg=dict(
                embeddings='data/embeddings/ov-coco_eva02-clip-b16.pt'))),
    test_cfg=dict(
        rpn=dict(nms_pre=2000),  # CLIPSelf cfg: test_cfg.rpn.nms_pre
        rcnn=dict(nms=dict(iou_threshold=0.4))))  # CLIPSelf cfg: rcnn nms

# CLIPSelf cfg lr_config: warmup='linear', warmup_iters=250,
# warmup_ratio=0.001, step=[100] (no decay within max_epochs=3).
param_scheduler = [
    dict(
        type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
        end=250)
]
