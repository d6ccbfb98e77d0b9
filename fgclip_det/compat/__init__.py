"""Compatibility with current numpy and torch for the pinned OpenMMLab stack."""
from .lvis_numpy import patch_lvis_numpy_aliases
from .plain_checkpoint import (
                               HISTORY_BUFFER_TAG,
                               find_unplain_paths,
                               restore_from_plain,
                               to_plain,
)

__all__ = [
    'HISTORY_BUFFER_TAG', 'find_unplain_paths', 'patch_lvis_numpy_aliases',
    'restore_from_plain', 'to_plain'
]
