# Box classification on LVIS v1 val (1203 classes).
# SigLIP 2 ViT-B/16 at 224 px (open_clip ViT-B-16-SigLIP2, webli); sigmoid
# scores, Gemma tokenizer (needs transformers).
#   python tools/test.py configs/eval/box-cls_siglip2-b16_lvis.py none
_base_ = [
    '../_base_/models/clip_box_classifier.py',
    '../_base_/models/clip_siglip2-b16.py',
    '../_base_/datasets/eval_box_cls_lvis.py',
    '../_base_/default_runtime.py',
]
model = dict(vocabulary={{_base_.vocabulary}},
             clip={{_base_.siglip2_b16_clip}},
             data_preprocessor={{_base_.siglip2_b16_data_preprocessor}})
