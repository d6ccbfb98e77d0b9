# Zero-shot classification on ImageNet-1k val.
# FG-CLIP ViT-B/16 at 224 px, the released weights as a toolkit checkpoint
# (tools/download.py or tools/convert/fgclip_hf_to_pth.py).
#   python tools/test.py configs/eval/zero-shot_fgclip-vitb16-224px_imagenet.py none
_base_ = [
    '../_base_/models/clip_zero_shot_classifier.py',
    '../_base_/datasets/eval_zero_shot_imagenet.py',
    '../_base_/default_runtime.py',
]
model = dict(vocabulary={{_base_.vocabulary}},
             clip_checkpoint='checkpoints/fgclip_vitb16.pth')
