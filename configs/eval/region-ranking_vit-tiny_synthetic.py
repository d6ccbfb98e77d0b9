# FG-OVD-style ranking on the synthetic fgovd/*.jsonl (the real files' layout).
# A CPU example with the tiny CLIP of the quickstart pretraining; CHECKPOINT is
# one of its runner checkpoints (work_dirs/fgclip-stage2_vit-tiny_*/epoch_*.pth):
#   python tools/test.py configs/eval/region-ranking_vit-tiny_synthetic.py CHECKPOINT
_base_ = [
    '../_base_/models/clip_fgovd_ranker.py',
    '../_base_/models/clip_vit-tiny.py',
    '../_base_/datasets/eval_fgovd.py',
    '../_base_/default_runtime.py',
]
model = _base_.vit_tiny_eval
test_dataloader = dict(
    _base_.synthetic_test_loader,
    dataset=dict(data_root='data/synthetic/', data_prefix=dict(img='')))
