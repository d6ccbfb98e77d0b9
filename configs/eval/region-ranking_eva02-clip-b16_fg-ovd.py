# FG-OVD: each box against its positive and 10 negative descriptions.
# EVA-02-CLIP-B/16 at 224 px (open_clip EVA02-B-16, merged2b_s8b_b131k).
#   python tools/test.py configs/eval/region-ranking_eva02-clip-b16_fg-ovd.py none
_base_ = [
    '../_base_/models/clip_fgovd_ranker.py',
    '../_base_/models/clip_eva02-b16.py',
    '../_base_/datasets/eval_fgovd.py',
    '../_base_/default_runtime.py',
]
model = dict(clip={{_base_.eva02_b16_clip}})
