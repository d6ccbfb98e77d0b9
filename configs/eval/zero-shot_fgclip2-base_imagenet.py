# Zero-shot classification on ImageNet-1k val.
# FG-CLIP 2 base at its native resolution (NaFlex, dynamic patch budget), the
# released folder checkpoints/fg-clip2-base (qihoo360/fg-clip2-base).
#   python tools/test.py configs/eval/zero-shot_fgclip2-base_imagenet.py none
_base_ = [
    '../_base_/models/clip_zero_shot_classifier.py',
    '../_base_/models/clip_fgclip2-base.py',
    '../_base_/datasets/eval_zero_shot_imagenet.py',
    '../_base_/default_runtime.py',
]
model = dict(vocabulary={{_base_.vocabulary}},
             clip={{_base_.fgclip2_base_clip}},
             data_preprocessor={{_base_.fgclip2_base_data_preprocessor}})
