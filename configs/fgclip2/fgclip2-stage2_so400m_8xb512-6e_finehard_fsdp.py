# FG-CLIP 2 stage 2 on SO400M, sharded with FSDP (GPUs only):
#   bash tools/dist_train.sh \
#       configs/fgclip2/fgclip2-stage2_so400m_8xb512-6e_finehard_fsdp.py 8
# The recipe of fgclip2-stage2_so400m_8xb512-6e_finehard.py; the bf16
# autocast of its AmpOptimWrapper becomes FSDP's mixed precision.
_base_ = [
    './fgclip2-stage2_so400m_8xb512-6e_finehard.py',
    '../_base_/strategies/fsdp_bf16.py',
]
runner_type = 'FlexibleRunner'
optim_wrapper = dict(
    _delete_=True, type=_base_.flexible_optim_wrapper,
    **{key: _base_.optim_wrapper[key] for key in ('optimizer', 'paramwise_cfg')})
