"""Training-loop parts: runner, loops, hooks and run-configuration helpers."""
from .build_runner import build_runner
from .checkpoint_files import find_resumable_checkpoint, is_complete_checkpoint
from .checkpoint_safe_runner import CheckpointSafeRunner
from .distributed_env import default_backend, prepare_distributed
from .hooks import (
    AtomicCheckpointHook,
    InitRegionScalesHook,
    PlainCheckpointHook,
    ReadableDetVisualizationHook,
)
from .loops import ResumableEpochBasedTrainLoop
from .run_config import apply_device_policy, apply_show_args, apply_train_args

__all__ = [
    'AtomicCheckpointHook', 'CheckpointSafeRunner', 'InitRegionScalesHook',
    'PlainCheckpointHook', 'ReadableDetVisualizationHook',
    'ResumableEpochBasedTrainLoop', 'apply_device_policy', 'apply_show_args',
    'apply_train_args', 'build_runner', 'default_backend', 'find_resumable_checkpoint',
    'is_complete_checkpoint', 'prepare_distributed'
]
