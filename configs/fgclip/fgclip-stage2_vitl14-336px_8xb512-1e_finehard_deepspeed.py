# FG-CLIP stage 2 on ViT-L/14 at 336 px with DeepSpeed ZeRO-2 (deepspeed 0.19.6:
# `bash tools/install.sh --tests`):
#   bash tools/dist_train.sh \
#       configs/fgclip/fgclip-stage2_vitl14-336px_8xb512-1e_finehard_deepspeed.py 8
# The recipe of fgclip-stage2_vitl14-336px_8xb512-1e_finehard.py; DeepSpeed
# runs the optimiser step and the bf16 casts.
_base_ = [
    './fgclip-stage2_vitl14-336px_8xb512-1e_finehard.py',
    '../_base_/strategies/deepspeed_zero2_bf16.py',
]
_configs = __import__('fgclip_det.utils.derived_config', fromlist=['flexible_runner'])
runner_type, optim_wrapper = _configs.flexible_runner(_base_)
