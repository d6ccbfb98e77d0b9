# Zero-shot classification of synthetic object crops (class folder = shape),
# written once by fgclip_det.datasets.write_crop_folder (docs/evaluation.md).
# A CPU example with the tiny CLIP of the quickstart pretraining; CHECKPOINT is
# one of its runner checkpoints (work_dirs/fgclip-stage2_vit-tiny_*/epoch_*.pth):
#   python tools/test.py configs/eval/zero-shot_vit-tiny_synthetic.py CHECKPOINT
_base_ = [
    '../_base_/models/clip_zero_shot_classifier.py',
    '../_base_/models/clip_vit-tiny.py',
    '../_base_/datasets/eval_zero_shot_imagenet.py',
    '../_base_/default_runtime.py',
]
data_root = 'data/synthetic/classification/'
vocabulary = data_root + 'val'  # the class folder names
model = dict(_base_.vit_tiny_eval, vocabulary=vocabulary)
test_dataloader = dict(
    _base_.synthetic_test_loader,
    dataset=dict(
        data_root=data_root, data_prefix=dict(img='val/'), class_names=None))
