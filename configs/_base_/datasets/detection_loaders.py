# The loader settings the detection sets share (ov_coco_detection.py,
# ov_lvis_instance.py, synthetic_detection.py): shuffled training batches of
# 8; validation and test one pass in order, every image kept. A dataset base
# merges its dataset (and any other batch size) in.
train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False))
test_dataloader = val_dataloader
