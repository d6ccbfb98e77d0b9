# F-ViT with the frozen FG-CLIP 2 base on OV-COCO: the recipe of
# fvit_vitb16-fgclip_fpn_8xb8-3e_ov-coco.py (blocks 3, 5, 7, 11; strides
# 4-64; 640 x 640; ensemble a = 0.1, b = 0.8, temperature 75 on the cosines
# of the dense map, a softmax over the classes as for every tower: FG-CLIP
# 2's sigmoid match_scores are not used) with the tower of
# ../_base_/models/fvit_fgclip2-base.py (weights from
# checkpoints/fg-clip2-base when the model is built).
# Class embeddings from the same model's text tower, its box walk
# (encode_region_text):
#   python tools/build_text_embeddings.py \
#       --config configs/fvit/fvit_fgclip2-base_fpn_8xb8-3e_ov-coco.py \
#       --vocab data/coco/annotations/instances_train2017_ov-base.json \
#       --out data/embeddings/ov-coco_fgclip2-base.pt
_base_ = [
    './fvit_vitb16-fgclip_fpn_8xb8-3e_ov-coco.py',
    '../_base_/models/fvit_fgclip2-base.py',
]

_configs = __import__('fgclip_det.utils.derived_config', fromlist=['merged'])

model = _configs.merged(
    _base_.fvit_fgclip2_model,
    dict(roi_head=dict(bbox_head=dict(cls_predictor_cfg=dict(
        embeddings='data/embeddings/ov-coco_fgclip2-base.pt')))))
