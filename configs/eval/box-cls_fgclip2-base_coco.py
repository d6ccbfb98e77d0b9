# Box classification on COCO val2017 (80 classes).
# FG-CLIP 2 base at its native resolution (NaFlex, dynamic patch budget), the
# released folder checkpoints/fg-clip2-base (qihoo360/fg-clip2-base).
#   python tools/test.py configs/eval/box-cls_fgclip2-base_coco.py none
_base_ = [
    '../_base_/models/clip_box_classifier.py',
    '../_base_/models/clip_fgclip2-base.py',
    '../_base_/datasets/eval_box_cls_coco.py',
    '../_base_/default_runtime.py',
]
model = dict(vocabulary={{_base_.vocabulary}},
             clip={{_base_.fgclip2_base_clip}},
             data_preprocessor={{_base_.fgclip2_base_data_preprocessor}})
