"""An epoch loop that resumes mid-epoch from an iteration checkpoint."""
import itertools
import logging
from typing import Iterable

from mmengine.dist import get_world_size
from mmengine.logging import print_log
from mmengine.runner import EpochBasedTrainLoop
from torch.utils.data import DataLoader, IterableDataset

from fgclip_det.registry import LOOPS

#: Runtime info (saved in checkpoints) of where the current epoch started.
EPOCH_START_KEY = 'train_epoch_start'


def skip_batches(loader: DataLoader, done: int) -> Iterable:
    """The batches of ``loader``'s current epoch after the first ``done``.

    For a map-style dataset only the sampler's indices of the skipped
    batches are drawn (no image is read): the rest are loaded by a one-off
    ``DataLoader`` with the same settings. An iterable dataset (streamed
    shards) has no indices, so its first ``done`` batches are read and
    dropped.
    """
    if done <= 0:
        return loader
    if isinstance(loader.dataset, IterableDataset) or loader.batch_sampler is None:
        return itertools.islice(loader, done, None)
    remaining = list(itertools.islice(iter(loader.batch_sampler), done, None))
    return DataLoader(
        loader.dataset,
        batch_sampler=remaining,
        num_workers=loader.num_workers,
        collate_fn=loader.collate_fn,
        pin_memory=loader.pin_memory,
        timeout=loader.timeout,
        worker_init_fn=loader.worker_init_fn,
        multiprocessing_context=loader.multiprocessing_context,
        generator=loader.generator,
        prefetch_factor=loader.prefetch_factor,
        pin_memory_device=loader.pin_memory_device)


@LOOPS.register_module()
class ResumableEpochBasedTrainLoop(EpochBasedTrainLoop):
    """``EpochBasedTrainLoop`` that continues an epoch where it was saved.

    MMEngine's epoch loop restarts the epoch from its first batch when it
    resumes from an iteration checkpoint (``CheckpointHook(by_epoch=False)``),
    so a one-epoch FG-CLIP stage would train again on everything it had
    seen. This loop skips the batches of the current epoch that were trained
    before the checkpoint, counted in images from where the epoch started
    (recorded in the checkpoint's runtime info), so a resume with another
    number of processes skips the same images; the sampler's order is the
    same because it is seeded by the epoch.
    """

    def run_epoch(self) -> None:
        """Iterate the rest of the current epoch."""
        self.runner.call_hook('before_train_epoch')
        self.runner.model.train()
        done = self._batches_done()
        if done > 0:
            print_log(f'resuming epoch {self._epoch + 1} after its first {done} '
                      'batches, trained before the checkpoint', logger='current')
        self.runner.message_hub.update_info(EPOCH_START_KEY, dict(
            epoch=self._epoch, iter=self._iter - done,
            global_batch=self._global_batch()))
        for idx, data_batch in enumerate(skip_batches(self.dataloader, done),
                                         start=max(done, 0)):
            self.run_iter(idx, data_batch)
        self.runner.call_hook('after_train_epoch')
        self._epoch += 1

    def _global_batch(self) -> int:
        return (self.dataloader.batch_size or 1) * get_world_size()

    def _batches_done(self) -> int:
        """Batches of the current epoch trained before the checkpoint.

        Counted in samples from where the epoch started, so a run resumed
        with another number of processes (or batch size) skips the same
        images; a checkpoint saved at the end of an epoch skips none.
        Checkpoints without that record fall back to the iteration count.
        """
        start = self.runner.message_hub.get_info(EPOCH_START_KEY)
        if start is None:
            return self._iter - self._epoch * len(self.dataloader)
        if start['epoch'] != self._epoch:
            return 0
        samples = (self._iter - start['iter']) * start['global_batch']
        done, rest = divmod(samples, self._global_batch())
        if rest:
            print_log(f'{rest} images of the interrupted epoch are trained '
                      f'again: {samples} were done, in batches of '
                      f'{self._global_batch()} now', logger='current',
                      level=logging.WARNING)
        return done
