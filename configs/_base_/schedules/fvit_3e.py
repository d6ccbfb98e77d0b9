# F-ViT on OV-COCO: 3 epochs, AdamW lr 1e-4, weight decay 0.1, gradient
# clipping at 1.0, 64 images a batch (8 GPUs x 8). Warm-up and the step
# after epoch 2 are this toolkit's choice (the recipe fixes the rest).
max_epochs = 3
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

# fused=True: torch's one-kernel AdamW, the same update (docs/benchmarks.md)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=0.1, fused=True),
    clip_grad=dict(max_norm=1.0, norm_type=2))
param_scheduler = [
    dict(
        type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
        end=250),
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_epochs,
        by_epoch=True,
        milestones=[max_epochs - 1],
        gamma=0.1)
]
auto_scale_lr = dict(enable=False, base_batch_size=64)
