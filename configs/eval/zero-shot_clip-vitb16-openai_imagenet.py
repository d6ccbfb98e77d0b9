# Zero-shot classification on ImageNet-1k val.
# OpenAI CLIP ViT-B/16 at 224 px (open_clip tag), for contrast.
#   python tools/test.py configs/eval/zero-shot_clip-vitb16-openai_imagenet.py none
_base_ = [
    '../_base_/models/clip_zero_shot_classifier.py',
    '../_base_/datasets/eval_zero_shot_imagenet.py',
    '../_base_/default_runtime.py',
]
model = dict(vocabulary={{_base_.vocabulary}},
             clip=dict(type='FGCLIP', model_name='ViT-B-16', pretrained='openai'))
