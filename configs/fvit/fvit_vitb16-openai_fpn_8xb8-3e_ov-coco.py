# F-ViT with the frozen OpenAI CLIP ViT-B/16 on OV-COCO: the recipe of
# fvit_vitb16-fgclip_fpn_8xb8-3e_ov-coco.py (blocks 3, 5, 7, 11; strides
# 4-64; 640 x 640; OpenAI CLIP mean / std, QuickGELU) with the tower of
# open_clip's 'openai' tag, downloaded when the model is built. Dense map:
# the value path of the last block.
# Class embeddings from the same CLIP's text tower:
#   python tools/build_text_embeddings.py --model-name ViT-B-16 \
#       --pretrained openai \
#       --vocab data/coco/annotations/instances_train2017_ov-base.json \
#       --out data/embeddings/ov-coco_clip-vitb16-openai.pt
_base_ = './fvit_vitb16-fgclip_fpn_8xb8-3e_ov-coco.py'

model = dict(
    backbone=dict(
        clip=dict(pretrained='openai'),  # model_name, quick_gelu: the base's
        clip_checkpoint=None),
    roi_head=dict(
        bbox_head=dict(
            cls_predictor_cfg=dict(
                embeddings='data/embeddings/ov-coco_clip-vitb16-openai.pt'))))
