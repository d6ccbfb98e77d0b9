# One epoch of FG-CLIP pretraining, the public stage-2 recipe: AdamW,
# lr 1e-6, weight decay 0.001, 200 linear warm-up steps then cosine decay,
# bf16 (fp16 is reported to give NaN losses).
max_epochs = 1
# Resumes mid-epoch from the iteration checkpoints the stage configs save.
train_cfg = dict(
    type='ResumableEpochBasedTrainLoop', max_epochs=max_epochs, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

# fused=True: torch's one-kernel AdamW, the same update (docs/benchmarks.md)
optim_wrapper = dict(
    type='AmpOptimWrapper',
    dtype='bfloat16',
    optimizer=dict(type='AdamW', lr=1e-6, weight_decay=0.001, fused=True),
    # No weight decay on norms, biases, embeddings and the logit scales.
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0, bypass_duplicate=True))
warmup_iters = 200
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=warmup_iters),
    dict(
        type='CosineAnnealingLR',
        by_epoch=True,
        begin=0,
        end=max_epochs,
        convert_to_iter_based=True),
]
# lr 1e-6 is for 8 devices x 512 images.
auto_scale_lr = dict(enable=False, base_batch_size=4096)
