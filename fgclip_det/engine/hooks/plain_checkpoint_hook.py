"""Save checkpoints that load with ``torch.load(weights_only=True)``."""
import logging
from typing import Any

from mmengine.hooks import Hook
from mmengine.logging import print_log

from fgclip_det.compat.plain_checkpoint import restore_from_plain, to_plain
from fgclip_det.registry import HOOKS


@HOOKS.register_module()
class PlainCheckpointHook(Hook):
    """Store only plain types in checkpoints, and rebuild them on load.

    Before a checkpoint is written, MMEngine's ``HistoryBuffer`` objects and
    numpy values are converted to tagged dicts, lists and Python numbers
    (:func:`fgclip_det.compat.to_plain`), so the file loads under torch's
    default ``weights_only=True`` without allow-listing unsafe globals.
    After a checkpoint is loaded (``load_from`` or ``--resume``) the tagged
    dicts become ``HistoryBuffer`` objects again, so the logs continue.
    Leaves of other types are reported with their key path in the log.

    Its priority is ``'LOWEST'``: on save it runs after every hook that may
    add entries, so what it converts is what is written.
    """

    priority = 'LOWEST'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Replace the checkpoint's content in place by its plain form."""

        def report(path: str, value: Any) -> None:
            print_log(
                f'checkpoint entry "{path}" has type '
                f'{type(value).__module__}.{type(value).__qualname__}, which '
                'torch.load(weights_only=True) rejects; the file will need '
                'a trusted load.',
                logger='current',
                level=logging.WARNING)

        plain = to_plain(checkpoint, on_unknown=report)
        checkpoint.clear()
        checkpoint.update(plain)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Rebuild ``HistoryBuffer`` objects in the loaded checkpoint."""
        restored = restore_from_plain(checkpoint)
        checkpoint.clear()
        checkpoint.update(restored)
