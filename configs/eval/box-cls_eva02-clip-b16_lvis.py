# Box classification on LVIS v1 val (1203 classes).
# EVA-02-CLIP-B/16 at 224 px (open_clip EVA02-B-16, merged2b_s8b_b131k).
#   python tools/test.py configs/eval/box-cls_eva02-clip-b16_lvis.py none
_base_ = [
    '../_base_/models/clip_box_classifier.py',
    '../_base_/models/clip_eva02-b16.py',
    '../_base_/datasets/eval_box_cls_lvis.py',
    '../_base_/default_runtime.py',
]
model = dict(vocabulary={{_base_.vocabulary}}, clip={{_base_.eva02_b16_clip}})
