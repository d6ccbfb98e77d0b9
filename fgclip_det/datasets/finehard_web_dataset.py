"""Stream FineHARD samples from WebDataset tar shards."""
import glob
import json
import random
import tarfile
from typing import Any, Iterator, List, Optional, Sequence, Union

import webdataset as wds
from mmengine.dataset import Compose
from mmengine.dist import get_dist_info
from torch.utils.data import IterableDataset, get_worker_info

from fgclip_det.registry import DATASETS, TRANSFORMS

from .finehard_record import (
    FINEHARD_NUM_NEGATIVES,
    check_finehard_file,
    parse_finehard_record,
)
from .skip_summary import SkipSummary, log_running_count
from .webdataset_shards import IMAGE_EXTENSIONS, RECORD_KEY


def _where(sample: dict) -> str:
    return f"{sample['__url__']}: sample {sample['__key__']}"


def _count_samples(shard: str) -> int:
    with tarfile.open(shard) as tar:
        return sum(m.name.endswith('.' + RECORD_KEY) for m in tar)


def expand_shards(shards: Union[str, Sequence[str]]) -> List[str]:
    """Expand brace patterns (``train-{000000..000099}.tar``) and globs.

    Args:
        shards (str | Sequence[str]): A pattern or a list of patterns/paths.

    Returns:
        list[str]: The shard paths, in order.
    """
    patterns = [shards] if isinstance(shards, str) else list(shards)
    paths: List[str] = []
    for pattern in patterns:
        for path in wds.shardlists.expand_urls(pattern):
            paths.extend(sorted(glob.glob(path)) if glob.has_magic(path)
                         else [path])
    return paths


@DATASETS.register_module()
class FineHARDWebDataset(IterableDataset):
    """FineHARD from tar shards, as written by
    :func:`~fgclip_det.datasets.webdataset_shards.write_finehard_shards`.

    Yields what :class:`~fgclip_det.datasets.FineHARDDataset` yields for the
    same records and pipeline (``img_bytes`` replaces reading the file, see
    :class:`~fgclip_det.datasets.transforms.LoadCLIPImage`). Shards are
    split over ranks and dataloader workers (``shards[i]`` goes to process
    ``i % (world_size * num_workers)``), so have at least that many shards.
    Each record is checked against the FineHARD schema as
    :class:`~fgclip_det.datasets.FineHARDDataset` checks it (the packing
    command checked it already): a field of the wrong type raises, naming
    the shard and the sample key; unusable records, regions and
    hard-negative sets are skipped and counted. A shard whose records are
    all unusable or whose boxes are mostly invalid raises when it has been
    read. A sample whose pipeline returns None (an unreadable image) is
    skipped and counted. The summary of a pass (what was skipped and why)
    is logged by each process after its 1st, 2nd, 4th, 8th... shard and at
    the end of the pass (an epoch). Use it with dataloader
    ``sampler=None``, preferably under MMEngine's ``IterBasedTrainLoop``;
    its length (which MMEngine's loops and logger read) is the number of
    samples per rank.

    Args:
        shards (str | Sequence[str]): Shard paths, brace patterns or globs.
        pipeline (Sequence[dict]): Transform configs (built from
            ``fgclip_det``'s TRANSFORMS, mmcv's and mmdet's included) or
            callables. Defaults to ``()``.
        max_regions (int): Regions kept per image. Defaults to 4.
        num_negatives (int, optional): Hard negatives a region must have, as
            for ``FineHARDDataset``. Defaults to 10.
        path_key (str): Record key of the image path. Defaults to
            ``'img_path'``.
        shuffle (bool): Shuffle the shard order each epoch (the same order on
            every rank, from ``seed`` and the epoch). A completed pass
            advances the epoch in the process that iterated, so with
            dataloader workers use ``persistent_workers=True`` or call
            :meth:`set_epoch`. Defaults to True.
        seed (int): Seed of the shard order. Defaults to 0.
        num_samples (int, optional): Samples in all shards, as the packing
            command reports. Defaults to None: counted from the shards' tar
            headers on first use, which reads every shard once.

    Attributes:
        skips (SkipSummary): What this process's current (or last) pass
            read and skipped, unreadable images included.
        num_skipped_images (int): Unreadable images, all passes together.
    """

    def __init__(self,
                 shards: Union[str, Sequence[str]],
                 pipeline: Sequence[Union[dict, Any]] = (),
                 *,
                 max_regions: int = 4,
                 num_negatives: Optional[int] = FINEHARD_NUM_NEGATIVES,
                 path_key: str = 'img_path',
                 shuffle: bool = True,
                 seed: int = 0,
                 num_samples: Optional[int] = None) -> None:
        self.shards = expand_shards(shards)
        if not self.shards:
            raise ValueError(f'no shard matches {shards!r}')
        self.pipeline = Compose([
            TRANSFORMS.build(t) if isinstance(t, dict) else t
            for t in pipeline
        ])
        self.max_regions = max_regions
        self.num_negatives = num_negatives
        self.path_key = path_key
        self.shuffle = shuffle
        self.seed = seed
        self.epoch = 0
        self.num_samples = num_samples
        self.skips = SkipSummary()
        self.num_skipped_images = 0

    @property
    def num_dropped_regions(self) -> int:
        """Regions skipped in the current (or last) pass."""
        return self.skips.count('region')

    def __len__(self) -> int:
        """Samples per rank: all samples divided by the number of ranks."""
        if self.num_samples is None:
            self.num_samples = sum(_count_samples(s) for s in self.shards)
        return self.num_samples // get_dist_info()[1]

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch that seeds the shard order."""
        self.epoch = epoch

    def process_shards(self) -> List[str]:
        """The shards this rank and dataloader worker read, in order."""
        shards = list(self.shards)
        if self.shuffle:
            random.Random(self.seed + self.epoch).shuffle(shards)
        rank, world_size = get_dist_info()
        worker = get_worker_info()
        worker_id, num_workers = ((worker.id, worker.num_workers)
                                  if worker is not None else (0, 1))
        index = rank * num_workers + worker_id
        return shards[index::world_size * num_workers]

    def __iter__(self) -> Iterator[Any]:
        """One pass (an epoch) over this process's shards; checks each shard
        once read and logs the pass's skip summary."""
        self.skips = SkipSummary()
        shards = self.process_shards()
        for number, shard in enumerate(shards, start=1):
            shard_skips = SkipSummary()
            for sample in wds.tarfile_to_samples()([{'url': shard}]):
                data = self.prepare_sample(sample, shard_skips)
                if data is not None:
                    yield data
            check_finehard_file(shard_skips, shard)
            self.skips.update(shard_skips)
            if number == len(shards) or number & (number - 1) == 0:
                self.skips.log(
                    f'epoch {self.epoch}, {number} of {len(shards)} shard(s) '
                    'of this process')
        self.epoch += 1

    def prepare_sample(self, sample: dict,
                       summary: SkipSummary) -> Optional[Any]:
        """Parse a shard sample and run the pipeline; None when skipped."""
        info = self.parse_sample(sample, summary)
        if info is None:
            return None
        data = self.pipeline(info)
        if data is None:
            summary.skip('image', 'unreadable')
            self.num_skipped_images += 1
            log_running_count(
                self.num_skipped_images,
                f'skipped {self.num_skipped_images} unreadable image(s) '
                f'so far in this process, the latest: {_where(sample)}')
        return data

    def parse_sample(self, sample: dict,
                     summary: Optional[SkipSummary] = None) -> Optional[dict]:
        """Turn a shard sample into the dataset's fields plus ``img_bytes``.

        Args:
            sample (dict): A WebDataset sample (``__url__``, ``__key__``,
                ``json`` and the image bytes).
            summary (SkipSummary, optional): Counts what is skipped.
                Defaults to :attr:`skips`.

        Returns:
            dict | None: The fields, or None when the record is skipped.
        """
        where = _where(sample)
        if RECORD_KEY not in sample:
            raise ValueError(f'{where}: no {RECORD_KEY!r} record in the '
                             f'sample (it holds {sorted(sample)})')
        try:
            record = json.loads(sample[RECORD_KEY])
        except json.JSONDecodeError as err:
            raise ValueError(f'{where}: invalid JSON record: {err}') from err
        info = parse_finehard_record(
            record, where, self.skips if summary is None else summary,
            path_key=self.path_key,
            max_regions=self.max_regions,
            num_negatives=self.num_negatives)
        if info is not None:
            # A sample without image bytes fails to decode and is skipped.
            info['img_bytes'] = next(
                (sample[ext] for ext in IMAGE_EXTENSIONS if ext in sample),
                b'')
        return info
