# Long-caption retrieval on DCI.
# FG-CLIP ViT-L/14 at 336 px, the released weights as a toolkit checkpoint
# (tools/download.py or tools/convert/fgclip_hf_to_pth.py).
#   python tools/test.py configs/eval/retrieval_fgclip-vitl14-336px_dci.py none
_base_ = [
    '../_base_/models/clip_long_text_retriever.py',
    '../_base_/datasets/eval_retrieval_dci.py',
    '../_base_/default_runtime.py',
]
model = dict(
    clip_checkpoint='checkpoints/fgclip_vitl14-336.pth',
    data_preprocessor=dict(size=336))
