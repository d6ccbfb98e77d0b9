# Short-caption retrieval on Flickr30k 1k.
# EVA-02-CLIP-B/16 at 224 px (open_clip EVA02-B-16, merged2b_s8b_b131k).
#   python tools/test.py configs/eval/retrieval_eva02-clip-b16_flickr30k-1k.py none
_base_ = [
    '../_base_/models/clip_retriever.py',
    '../_base_/models/clip_eva02-b16.py',
    '../_base_/datasets/eval_retrieval_flickr30k.py',
    '../_base_/default_runtime.py',
]
model = dict(clip={{_base_.eva02_b16_clip}})
