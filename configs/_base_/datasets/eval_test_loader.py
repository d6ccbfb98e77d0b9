# The test loop and loader settings every CLIP evaluation dataset base
# (configs/_base_/datasets/eval_*.py) shares: one pass over the set in order,
# every sample kept. A dataset base merges its batch size and dataset in.
test_dataloader = dict(
    num_workers=4,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False))
test_cfg = dict(type='TestLoop')
# The meta keys PackDetInputs keeps in every evaluation sample; a dataset
# base adds the ones its metric reads (captions, labels, texts).
eval_meta_keys = ('img_id', 'img_path', 'ori_shape', 'img_shape')
# The CPU loader of the examples on the synthetic set
# (configs/eval/*_synthetic*.py): a leaf merges its dataset into it,
#   test_dataloader = dict(_base_.synthetic_test_loader, dataset=dict(...))
synthetic_test_loader = dict(
    batch_size=16, num_workers=2, persistent_workers=False)
