# FG-OVD: each box against its positive and 10 negative descriptions.
# FG-CLIP ViT-B/16 at 224 px, the released weights as a toolkit checkpoint
# (tools/download.py or tools/convert/fgclip_hf_to_pth.py).
#   python tools/test.py configs/eval/region-ranking_fgclip-vitb16-224px_fg-ovd.py none
_base_ = [
    '../_base_/models/clip_fgovd_ranker.py',
    '../_base_/datasets/eval_fgovd.py',
    '../_base_/default_runtime.py',
]
model = dict(clip_checkpoint='checkpoints/fgclip_vitb16.pth')
