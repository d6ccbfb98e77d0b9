# The quickstart detectors on the synthetic set (CPU, batch 8): AdamW lr 1e-3,
# weight decay 0.05, gradients clipped at norm 10, 50 warm-up iterations from
# 0.1 x lr, then cosine decay to 1e-5 over the epochs; 12 epochs, validated
# every 4. A config with fewer epochs sets max_epochs and the cosine's end.
max_epochs = 12
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=4)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

# fused=True: torch's one-kernel AdamW, the same update (docs/benchmarks.md)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05, fused=True),
    clip_grad=dict(max_norm=10.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(
        type='CosineAnnealingLR',
        by_epoch=True,
        begin=0,
        end=max_epochs,
        eta_min=1e-5)
]
auto_scale_lr = dict(enable=False, base_batch_size=8)
# Seeded (weights, data order, augmentation), so that a quickstart run's
# detector figures are the same run to run; a run of another seed:
# --cfg-options randomness.seed=N (docs/fvit.md gives the spread of three).
randomness = dict(seed=0)
