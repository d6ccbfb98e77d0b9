# Short-caption retrieval on the synthetic retrieval/val.json (short text path).
# A CPU example with the tiny CLIP of the quickstart pretraining; CHECKPOINT is
# one of its runner checkpoints (work_dirs/fgclip-stage2_vit-tiny_*/epoch_*.pth):
#   python tools/test.py configs/eval/retrieval_vit-tiny_synthetic-short.py CHECKPOINT
_base_ = [
    '../_base_/datasets/eval_retrieval_coco.py',
    '../_base_/models/fgclip_vit-tiny.py',
    '../_base_/default_runtime.py',
]

model = dict(
    clip={{_base_.tiny_clip}},
    long_text=False,
    data_preprocessor=dict(size={{_base_.tiny_clip_image_size}}))
test_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=False,
    dataset=dict(
        data_root='data/synthetic/',
        ann_file='retrieval/val.json',
        ann_format='list',
        image_key='img_path',
        caption_key='short_caption',
        data_prefix=dict(img='')))
