# Short-caption retrieval on Flickr30k 1k.
# OpenAI CLIP ViT-B/16 at 224 px (open_clip tag), for contrast.
#   python tools/test.py configs/eval/retrieval_clip-vitb16-openai_flickr30k-1k.py none
_base_ = [
    '../_base_/models/clip_retriever.py',
    '../_base_/datasets/eval_retrieval_flickr30k.py',
    '../_base_/default_runtime.py',
]
model = dict(
    clip=dict(type='FGCLIP', model_name='ViT-B-16', pretrained='openai'))
