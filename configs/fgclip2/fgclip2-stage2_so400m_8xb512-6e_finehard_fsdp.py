# FG-CLIP 2 stage 2 on SO400M, sharded with FSDP2:
#   bash tools/dist_train.sh \
#       configs/fgclip2/fgclip2-stage2_so400m_8xb512-6e_finehard_fsdp.py 8
# The recipe of fgclip2-stage2_so400m_8xb512-6e_finehard.py; the bf16
# autocast of its AmpOptimWrapper becomes FSDP's mixed precision.
_base_ = [
    './fgclip2-stage2_so400m_8xb512-6e_finehard.py',
    '../_base_/strategies/fully_shard_bf16.py',
]
_configs = __import__('fgclip_det.utils.derived_config', fromlist=['flexible_runner'])
runner_type, optim_wrapper = _configs.flexible_runner(_base_)
# One shard unit a transformer block: timm's `Block` in the NaFlex image
# tower, open_clip's `ResidualAttentionBlock` in the text tower. The heads
# (the pooling and the dense MAP head, whose weights the dense path reads
# outside its forward) stay in the root unit.
strategy = dict(unit_types=('Block', 'ResidualAttentionBlock'))
