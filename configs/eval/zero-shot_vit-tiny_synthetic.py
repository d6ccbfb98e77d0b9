# Zero-shot classification of synthetic object crops (class folder = shape),
# written once by fgclip_det.datasets.write_crop_folder (docs/evaluation.md).
# A CPU example with the tiny CLIP of the quickstart pretraining; CHECKPOINT is
# one of its runner checkpoints (work_dirs/fgclip-stage2_vit-tiny_*/epoch_*.pth):
#   python tools/test.py configs/eval/zero-shot_vit-tiny_synthetic.py CHECKPOINT
_base_ = [
    '../_base_/datasets/eval_zero_shot_imagenet.py',
    '../_base_/models/fgclip_vit-tiny.py',
    '../_base_/default_runtime.py',
]

data_root = 'data/synthetic/classification/'
model = dict(
    clip={{_base_.tiny_clip}},
    vocabulary=data_root + 'val',  # the class folder names
    data_preprocessor=dict(size={{_base_.tiny_clip_image_size}}))
test_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=False,
    dataset=dict(
        data_root=data_root, data_prefix=dict(img='val/'), class_names=None))
