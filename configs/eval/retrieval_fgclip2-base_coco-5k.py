# Short-caption retrieval on COCO 5k.
# FG-CLIP 2 base at its native resolution (NaFlex, dynamic patch budget), the
# released folder checkpoints/fg-clip2-base (qihoo360/fg-clip2-base).
#   python tools/test.py configs/eval/retrieval_fgclip2-base_coco-5k.py none
_base_ = [
    '../_base_/models/clip_retriever.py',
    '../_base_/models/clip_fgclip2-base.py',
    '../_base_/datasets/eval_retrieval_coco.py',
    '../_base_/default_runtime.py',
]
model = dict(
    clip={{_base_.fgclip2_base_clip}},
    data_preprocessor={{_base_.fgclip2_base_data_preprocessor}})
