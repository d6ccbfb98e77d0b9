# Zero-shot classification on ImageNet-1k val.
# EVA-02-CLIP-B/16 at 224 px (open_clip EVA02-B-16, merged2b_s8b_b131k).
#   python tools/test.py configs/eval/zero-shot_eva02-clip-b16_imagenet.py none
_base_ = [
    '../_base_/models/clip_zero_shot_classifier.py',
    '../_base_/models/clip_eva02-b16.py',
    '../_base_/datasets/eval_zero_shot_imagenet.py',
    '../_base_/default_runtime.py',
]
model = dict(vocabulary={{_base_.vocabulary}}, clip={{_base_.eva02_b16_clip}})
