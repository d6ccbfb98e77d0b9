# Box classification on COCO val2017 (80 classes).
# OpenAI CLIP ViT-B/16 at 224 px (open_clip tag), for contrast.
#   python tools/test.py configs/eval/box-cls_clip-vitb16-openai_coco.py none
_base_ = [
    '../_base_/models/clip_box_classifier.py',
    '../_base_/datasets/eval_box_cls_coco.py',
    '../_base_/default_runtime.py',
]
model = dict(vocabulary={{_base_.vocabulary}},
             clip=dict(type='FGCLIP', model_name='ViT-B-16', pretrained='openai'))
