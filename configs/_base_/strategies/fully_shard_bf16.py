# Sharded data parallel with PyTorch FSDP through MMEngine's FlexibleRunner:
# parameters, gradients and optimiser state split across the processes,
# modules of >= 10M parameters their own shard units (each ViT-L block),
# bf16 compute with fp32 gradient reduction. GPU only: torch's
# FullyShardedDataParallel refuses CPU-only processes ("FSDP needs a non-CPU
# accelerator device"), see docs/distributed.md. A leaf config that inherits
# a recipe and this file sets runner_type = 'FlexibleRunner' and the recipe's
# optimiser in an optim_wrapper of type `flexible_optim_wrapper`.
flexible_optim_wrapper = 'OptimWrapper'  # bf16 is FSDP's mixed precision
strategy = dict(
    type='FSDPStrategy',
    model_wrapper=dict(
        auto_wrap_policy=dict(
            type='torch.distributed.fsdp.wrap.size_based_auto_wrap_policy',
            min_num_params=int(1e7)),
        # parameter names stay the model's, so the optimiser's paramwise_cfg
        # (no decay on norms, biases, logit scales) still applies
        use_orig_params=True,
        mixed_precision=dict(
            param_dtype='bfloat16', reduce_dtype='float32',
            buffer_dtype='float32')),
    # full (unsharded) state dicts in checkpoints: they load in one process
    state_dict_cfg='full')
