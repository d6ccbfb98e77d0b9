# F-ViT with the frozen FG-CLIP 2 base on OV-LVIS: the recipe of
# fvit_vitb16-fgclip_fpn_8xb8-48e_ov-lvis.py (48 epochs at 1024 x 1024, a
# class-agnostic mask head, ensemble a = 0.1, b = 0.6, temperature 50) with
# the tower of ../_base_/models/fvit_fgclip2-base.py (weights from
# checkpoints/fg-clip2-base when the model is built). Class embeddings of
# the 1203 LVIS classes, from the box walk of the same model's text tower:
#   python tools/build_text_embeddings.py \
#       --config configs/fvit/fvit_fgclip2-base_fpn_8xb8-48e_ov-lvis.py \
#       --vocab data/lvis_v1/annotations/lvis_v1_val.json \
#       --out data/embeddings/ov-lvis_fgclip2-base.pt
_base_ = [
    './fvit_vitb16-fgclip_fpn_8xb8-48e_ov-lvis.py',
    '../_base_/models/fvit_fgclip2-base.py',
]

_configs = __import__('fgclip_det.utils.derived_config', fromlist=['merged'])

model = _configs.merged(
    _base_.fvit_fgclip2_model,
    dict(roi_head=dict(bbox_head=dict(cls_predictor_cfg=dict(
        embeddings='data/embeddings/ov-lvis_fgclip2-base.pt')))))
