# Box classification on the synthetic val set: every box among the 8 shape
# names, with the prompts of the synthetic caption grammar; top-1 also over
# the novel shapes (star, heart), which no detector box ever shows. A CPU
# example with the tiny CLIP of the quickstart pretraining; CHECKPOINT is one
# of its runner checkpoints (work_dirs/fgclip-stage2_vit-tiny_*/epoch_*.pth):
#   python tools/test.py configs/eval/box-cls_vit-tiny_synthetic.py CHECKPOINT
_base_ = [
    '../_base_/models/clip_box_classifier.py',
    '../_base_/models/clip_vit-tiny.py',
    '../_base_/datasets/eval_box_cls_coco.py',
    '../_base_/datasets/synthetic_prompts.py',
    '../_base_/default_runtime.py',
]
data_root = 'data/synthetic/'
ann_file = 'annotations/instances_val.json'
vocabulary = data_root + ann_file
model = dict(_base_.vit_tiny_eval, vocabulary=vocabulary,
             templates={{_base_.prompt_templates}})
test_dataloader = dict(
    _base_.synthetic_test_loader,
    dataset=dict(
        data_root=data_root,
        ann_file=ann_file,
        data_prefix=dict(img='images/val/')))
test_evaluator = dict(class_groups=dict(novel=[3, 7]))  # star, heart
