# Runtime shared by every config: scope, runner, hooks, logging, visualisation.
default_scope = 'fgclip_det'
# Strict checkpoint loads and a resume that never silently starts from scratch
# (fgclip_det/engine/checkpoint_safe_runner.py).
runner_type = 'CheckpointSafeRunner'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # Written to a temporary file and renamed, then `last_checkpoint`, then
    # old ones pruned: a kill at any moment leaves a resumable checkpoint.
    checkpoint=dict(type='AtomicCheckpointHook', interval=1),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='DetVisualizationHook'),
    # Checkpoints hold only plain types: they load with torch's default
    # weights_only=True (see fgclip_det/compat/plain_checkpoint.py).
    plain_checkpoint=dict(type='PlainCheckpointHook'))

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # No backend: tools/train.py and tools/test.py choose nccl where CUDA
    # devices exist and gloo (CPU processes) where not; set one to override.
    dist_cfg=dict())

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(
    type='DetLocalVisualizer', vis_backends=vis_backends, name='visualizer')
log_processor = dict(type='LogProcessor', window_size=50, by_epoch=True)

log_level = 'INFO'
load_from = None
# False loads a checkpoint that fits only in part (missing, unexpected or
# mis-shaped tensors are then warnings instead of an error).
load_strict = True
resume = False
