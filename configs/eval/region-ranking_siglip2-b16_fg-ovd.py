# FG-OVD: each box against its positive and 10 negative descriptions.
# SigLIP 2 ViT-B/16 at 224 px (open_clip ViT-B-16-SigLIP2, webli); sigmoid
# scores, Gemma tokenizer (needs transformers).
#   python tools/test.py configs/eval/region-ranking_siglip2-b16_fg-ovd.py none
_base_ = [
    '../_base_/models/clip_fgovd_ranker.py',
    '../_base_/models/clip_siglip2-b16.py',
    '../_base_/datasets/eval_fgovd.py',
    '../_base_/default_runtime.py',
]
model = dict(
    clip={{_base_.siglip2_b16_clip}},
    data_preprocessor={{_base_.siglip2_b16_data_preprocessor}})
