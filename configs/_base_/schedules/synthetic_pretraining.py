# The quickstart pretraining schedule on the CPU (1000 images / batch 16 = 63
# iterations an epoch, 756 in all): 12 epochs, validated and checkpointed at
# the end; from scratch, so lr 5e-4 (not the 1e-6 of fine-tuning) with
# gradients clipped at norm 1, 50 linear warm-up iterations from 0.01 x lr,
# then cosine decay to 1e-5; logged every 21 iterations. The quickstart
# configs extend full recipes that define these keys, so they are variables
# a config sets its keys from (sibling bases cannot define the same key).
synthetic_max_epochs = 12
synthetic_lr = 5e-4
synthetic_clip_grad = dict(max_norm=1.0)
synthetic_warmup_iters = 50
synthetic_checkpoint = dict(interval=synthetic_max_epochs, max_keep_ckpts=1)
synthetic_log_interval = 21
# The schedule keys of a quickstart config, which it unpacks in this order:
#   max_epochs, train_cfg, param_scheduler, log_processor, auto_scale_lr = (
#       _base_.synthetic_schedule.values())
synthetic_schedule = dict(
    max_epochs=synthetic_max_epochs,
    train_cfg=dict(max_epochs=synthetic_max_epochs, val_interval=synthetic_max_epochs),
    param_scheduler=[
        dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
             end=synthetic_warmup_iters),
        dict(
            type='CosineAnnealingLR',
            by_epoch=True,
            begin=0,
            end=synthetic_max_epochs,
            eta_min=1e-5,
            convert_to_iter_based=True),
    ],
    log_processor=dict(window_size=synthetic_log_interval),
    auto_scale_lr=dict(base_batch_size=16))
# Seeded, so that the initial weights can be saved apart and tested as the
# untrained baseline (docs/pretraining.md).
randomness = dict(seed=0)
