# OV-COCO at 896 x 896 (ViT-L/14): the 640 pipelines with image_size in
# every size field (the resize scales and the crop size).
_base_ = './ov_coco_detection.py'

image_size = (896, 896)
train_pipeline, test_pipeline = ([
    dict(t, **{k: image_size for k in ('scale', 'crop_size') if k in t})
    for t in pipeline] for pipeline in (_base_.train_pipeline, _base_.test_pipeline))
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
