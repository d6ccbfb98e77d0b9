# F-ViT with the frozen SigLIP 2 ViT-B/16 on OV-COCO: the recipe of
# fvit_vitb16-fgclip_fpn_8xb8-3e_ov-coco.py (blocks 3, 5, 7, 11; strides
# 4-64; 640 x 640; ensemble a = 0.1, b = 0.8, temperature 75) with the
# tower of open_clip's ViT-B-16-SigLIP2 'webli' tag (a timm ViT without
# class token, pooled by an attention-pool head), downloaded when the model
# is built; normalised with its mean = std = (0.5, 0.5, 0.5)
# (open_clip.get_pretrained_cfg('ViT-B-16-SigLIP2', 'webli')). Embeddings
# are 768 wide. Dense map: the attention-pool head on every token, each
# token its own query over all tokens (dense_path='query', FG-CLIP 2's
# dense head); 'value' lets each token attend only to itself.
# Class embeddings from the same CLIP's text tower (its Gemma tokenizer
# needs `pip install transformers`; building the detector does not):
#   python tools/build_text_embeddings.py --model-name ViT-B-16-SigLIP2 \
#       --pretrained webli \
#       --vocab data/coco/annotations/instances_train2017_ov-base.json \
#       --out data/embeddings/ov-coco_siglip2-b16-webli.pt
_base_ = './fvit_vitb16-fgclip_fpn_8xb8-3e_ov-coco.py'

clip_dim = 768  # SigLIP 2 B/16 embedding width

model = dict(
    data_preprocessor=dict(mean=[127.5] * 3, std=[127.5] * 3),  # 0.5 x 255
    backbone=dict(
        clip=dict(
            _delete_=True,  # not the base's quick_gelu
            type='FGCLIP',
            model_name='ViT-B-16-SigLIP2',
            pretrained='webli',
            trunk_cfg=dict(dense_path='query')),
        out_indices=[3, 5, 7, 11],
        clip_checkpoint=None,
        # the MAP head, not the last block, gives SigLIP's dense map
        last_block='attention'),
    roi_head=dict(
        bbox_head=dict(
            cls_predictor_cfg=dict(
                embeddings='data/embeddings/ov-coco_siglip2-b16-webli.pt')),
        clip_roi_extractor=dict(out_channels=clip_dim)))
