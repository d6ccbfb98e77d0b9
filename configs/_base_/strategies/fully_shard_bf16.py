# Sharded data parallel with PyTorch FSDP2 (`fully_shard`) through MMEngine's
# FlexibleRunner (fgclip_det/engine/strategies/fully_shard_strategy.py):
# parameters, gradients and optimiser state split across the processes, bf16
# compute with fp32 gradient reduction (parameters and optimiser state stay
# fp32), full (unsharded) state dicts in checkpoints, which load in one
# process. Runs on GPUs and on CPU processes (gloo), see docs/distributed.md.
# A leaf config that inherits a recipe and this file sets
# runner_type = 'FlexibleRunner' and the recipe's optimiser in an
# optim_wrapper of type `flexible_optim_wrapper`
# (`_configs.flexible_runner(_base_)` of fgclip_det/utils/derived_config.py),
# and the model's shard units (strategy.unit_types, strategy.keep_in_parent).
flexible_optim_wrapper = 'OptimWrapper'  # bf16 is FSDP2's mixed precision
strategy = dict(
    # scoped: FlexibleRunner builds its strategy before it sets the default
    # scope
    type='fgclip_det.FullyShardStrategy',
    mixed_precision=dict(param_dtype='bfloat16', reduce_dtype='float32'))
