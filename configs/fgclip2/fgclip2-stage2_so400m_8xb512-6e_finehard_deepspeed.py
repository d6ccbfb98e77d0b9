# FG-CLIP 2 stage 2 on SO400M with DeepSpeed ZeRO-2, as the public training
# runs (scripts/train/stage2_fgclip2.sh: --deepspeed zero2; deepspeed
# 0.19.6: `bash tools/install.sh --tests`):
#   bash tools/dist_train.sh \
#       configs/fgclip2/fgclip2-stage2_so400m_8xb512-6e_finehard_deepspeed.py 8
_base_ = [
    './fgclip2-stage2_so400m_8xb512-6e_finehard.py',
    '../_base_/strategies/deepspeed_zero2_bf16.py',
]
_configs = __import__('fgclip_det.utils.derived_config', fromlist=['flexible_runner'])
runner_type, optim_wrapper = _configs.flexible_runner(_base_)
