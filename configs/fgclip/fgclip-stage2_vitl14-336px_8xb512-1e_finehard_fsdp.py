# FG-CLIP stage 2 on ViT-L/14 at 336 px, sharded with FSDP2:
#   bash tools/dist_train.sh \
#       configs/fgclip/fgclip-stage2_vitl14-336px_8xb512-1e_finehard_fsdp.py 8
# The recipe of fgclip-stage2_vitl14-336px_8xb512-1e_finehard.py; the bf16
# autocast of its AmpOptimWrapper becomes FSDP's mixed precision.
_base_ = [
    './fgclip-stage2_vitl14-336px_8xb512-1e_finehard.py',
    '../_base_/strategies/fully_shard_bf16.py',
]
_configs = __import__('fgclip_det.utils.derived_config', fromlist=['flexible_runner'])
runner_type, optim_wrapper = _configs.flexible_runner(_base_)
# One shard unit a transformer block of either tower, except the last image
# block: the dense path reads its weights outside its forward (attention
# replaced by the value path), so it stays in the root unit.
strategy = dict(
    unit_types=('ResidualAttentionBlock',),
    keep_in_parent=('clip.clip.visual.transformer.resblocks.-1',))
