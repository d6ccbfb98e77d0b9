# FG-OVD: each box against its positive and 10 negative descriptions.
# FG-CLIP 2 base at its native resolution (NaFlex, dynamic patch budget), the
# released folder checkpoints/fg-clip2-base (qihoo360/fg-clip2-base).
#   python tools/test.py configs/eval/region-ranking_fgclip2-base_fg-ovd.py none
_base_ = [
    '../_base_/models/clip_fgovd_ranker.py',
    '../_base_/models/clip_fgclip2-base.py',
    '../_base_/datasets/eval_fgovd.py',
    '../_base_/default_runtime.py',
]
model = dict(
    clip={{_base_.fgclip2_base_clip}},
    data_preprocessor={{_base_.fgclip2_base_data_preprocessor}})
