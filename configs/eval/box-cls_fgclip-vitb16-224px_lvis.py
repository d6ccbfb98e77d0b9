# Box classification on LVIS v1 val (1203 classes).
# FG-CLIP ViT-B/16 at 224 px, the released weights as a toolkit checkpoint
# (tools/download.py or tools/convert/fgclip_hf_to_pth.py).
#   python tools/test.py configs/eval/box-cls_fgclip-vitb16-224px_lvis.py none
_base_ = [
    '../_base_/models/clip_box_classifier.py',
    '../_base_/datasets/eval_box_cls_lvis.py',
    '../_base_/default_runtime.py',
]
model = dict(vocabulary={{_base_.vocabulary}},
             clip_checkpoint='checkpoints/fgclip_vitb16.pth')
