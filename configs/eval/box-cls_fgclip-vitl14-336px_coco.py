# Box classification on COCO val2017 (80 classes).
# FG-CLIP ViT-L/14 at 336 px, the released weights as a toolkit checkpoint
# (tools/download.py or tools/convert/fgclip_hf_to_pth.py).
#   python tools/test.py configs/eval/box-cls_fgclip-vitl14-336px_coco.py none
_base_ = [
    '../_base_/models/clip_box_classifier.py',
    '../_base_/datasets/eval_box_cls_coco.py',
    '../_base_/default_runtime.py',
]
model = dict(vocabulary={{_base_.vocabulary}},
             clip_checkpoint='checkpoints/fgclip_vitl14-336.pth',
             data_preprocessor=dict(size=336))
