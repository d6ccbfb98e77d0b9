# FG-OVD: each box against its positive and 10 negative descriptions.
# OpenAI CLIP ViT-B/16 at 224 px (open_clip tag), for contrast.
#   python tools/test.py configs/eval/region-ranking_clip-vitb16-openai_fg-ovd.py none
_base_ = [
    '../_base_/models/clip_fgovd_ranker.py',
    '../_base_/datasets/eval_fgovd.py',
    '../_base_/default_runtime.py',
]
model = dict(
    clip=dict(type='FGCLIP', model_name='ViT-B-16', pretrained='openai'))
