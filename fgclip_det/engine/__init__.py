"""Training-loop parts: hooks and run-configuration helpers."""
from .hooks import PlainCheckpointHook
from .run_config import apply_device_policy, apply_train_args

__all__ = ['PlainCheckpointHook', 'apply_device_policy', 'apply_train_args']
