"""Training loops registered in ``fgclip_det.registry.LOOPS``."""
from .resumable_epoch_loop import ResumableEpochBasedTrainLoop, skip_batches

__all__ = ['ResumableEpochBasedTrainLoop', 'skip_batches']
