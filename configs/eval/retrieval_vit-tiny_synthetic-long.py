# Long-caption retrieval on the synthetic retrieval/val.json (long text path).
# A CPU example with the tiny CLIP of the quickstart pretraining; CHECKPOINT is
# one of its runner checkpoints (work_dirs/fgclip-stage2_vit-tiny_*/epoch_*.pth):
#   python tools/test.py configs/eval/retrieval_vit-tiny_synthetic-long.py CHECKPOINT
_base_ = [
    '../_base_/models/clip_long_text_retriever.py',
    '../_base_/models/clip_vit-tiny.py',
    '../_base_/datasets/eval_retrieval_coco.py',
    '../_base_/default_runtime.py',
]
model = _base_.vit_tiny_eval
test_dataloader = dict(
    _base_.synthetic_test_loader,
    dataset=dict(
        data_root='data/synthetic/',
        ann_file='retrieval/val.json',
        ann_format='list',
        image_key='img_path',
        caption_key='caption',
        data_prefix=dict(img='')))
