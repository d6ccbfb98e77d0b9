"""FlexibleRunner strategies registered in ``fgclip_det.registry.STRATEGIES``."""
from .deepspeed_strategy import DeepSpeedStrategy
from .fully_shard_strategy import FullyShardStrategy, mixed_precision_policy
from .shard_units import resolve_module, select_shard_units

__all__ = [
    'DeepSpeedStrategy', 'FullyShardStrategy', 'mixed_precision_policy',
    'resolve_module', 'select_shard_units'
]
