# DeepSpeed ZeRO stage 2 (optimiser state and gradients sharded) in bf16,
# through MMEngine's FlexibleRunner, as the public FG-CLIP training runs
# DeepSpeed ZeRO. Needs deepspeed 0.19.6 (`bash tools/install.sh --tests`;
# docs/distributed.md says why that one); runs on GPUs and on CPU processes
# (gloo; tested there in fp32). fgclip_det.DeepSpeedStrategy is MMEngine's with
# the checkpoint hooks called and a plain config. A leaf config that
# inherits a recipe and this file sets runner_type = 'FlexibleRunner' and the
# recipe's optimiser in an optim_wrapper of type `flexible_optim_wrapper`:
#   runner_type, optim_wrapper = _configs.flexible_runner(_base_)
# (fgclip_det/utils/derived_config.py).
flexible_optim_wrapper = 'DeepSpeedOptimWrapper'  # DeepSpeed steps and casts
strategy = dict(
    type='fgclip_det.DeepSpeedStrategy',
    zero_optimization=dict(
        stage=2,
        allgather_partitions=True,
        allgather_bucket_size=int(2e8),
        overlap_comm=True,
        reduce_scatter=True,
        reduce_bucket_size=int(2e8),
        contiguous_gradients=True),
    bf16=dict(enabled=True))
