"""FineHARD, the region-annotated pretraining set of FG-CLIP."""
import os.path as osp
from typing import Any, List, Optional, Sequence, Union

import numpy as np
from mmengine.dataset import BaseDataset

from fgclip_det.registry import DATASETS, TRANSFORMS

from .finehard_record import (
    FINEHARD_NUM_NEGATIVES,
    check_finehard_file,
    parse_finehard_record,
)
from .json_records import read_json_records
from .skip_summary import SkipSummary, log_running_count


@DATASETS.register_module()
class FineHARDDataset(BaseDataset):
    """Images with long and short captions, regions and hard negatives.

    Reads FineHARD annotation files (a JSON list or JSON lines, see
    :func:`~fgclip_det.datasets.json_records.read_json_records`) and the
    synthetic set in the same layout. Only the index is parsed here; the
    pipeline loads the images. Every record is checked against the FineHARD
    schema (:mod:`~fgclip_det.datasets.finehard_record`): a field of the
    wrong type raises an error naming the file, the record (JSON lines: the
    line), the field and what was expected; unusable records, regions and
    hard-negative sets are skipped and counted, and the summary (what was
    skipped and why) is logged once, when the index is built: the index is
    the same every epoch. A file whose records are all unusable, or whose
    boxes are mostly invalid (e.g. pixels instead of normalised
    coordinates), raises. Records without regions are kept (they still
    serve the global loss). When the pipeline returns None (the loading
    transform does so for a missing or corrupt image) the sample is replaced
    by another one (MMEngine's refetch) and the running count of skipped
    images is logged.

    Region captions: each region is captioned by its ``short_expr``, or,
    with probability ``long_region_caption_prob``, by its ``long_expr``
    (a region without one keeps its ``short_expr``), drawn anew every time
    the sample is read, independently per region, with NumPy's global
    generator (MMEngine seeds it in every process and dataloader worker
    from ``randomness.seed``, so the draws repeat under a seed). The public
    stage-2 dataset draws ``random.choice([bbox_data["short_expr"],
    bbox_data["long_expr"]])`` per box (``fgclip/train/train_fgclip.py``,
    ``LazySupervisedBboxDataset.__getitem__``): probability 0.5. The hard
    negatives always rewrite the ``short_expr``, which the samples keep in
    ``region_short_texts``.

    Args:
        ann_file (str): Annotation file, relative to ``data_root`` unless
            absolute.
        data_root (str): Root of the data. Defaults to ``''``.
        data_prefix (dict): ``img_path``: folder that record image paths are
            relative to (joined with ``data_root``). Defaults to
            ``dict(img_path='')``.
        pipeline (Sequence[dict]): Transform configs (built from
            ``fgclip_det``'s TRANSFORMS, mmcv's and mmdet's included) or
            callables. Defaults to ``()``.
        max_regions (int): Regions kept per image. 0 reads no region.
            Defaults to 4 (FG-CLIP).
        num_negatives (int, optional): Hard negatives a region must have;
            a region with another number keeps no negatives (counted). None
            accepts any non-zero number. Defaults to 10 (FineHARD).
        path_key (str): Record key of the image path. Defaults to
            ``'img_path'``.
        long_region_caption_prob (float): Probability that a region is
            captioned by its ``long_expr`` (see above). Defaults to 0 (always
            the ``short_expr``); FG-CLIP's stage 2 trains with 0.5.
        **kwargs: Other :class:`mmengine.dataset.BaseDataset` arguments
            (``test_mode``, ``lazy_init``, ``indices``, ``max_refetch``...).

    Attributes:
        skips (SkipSummary): What building the index read and skipped.
        num_dropped_regions (int): Regions skipped (e.g. an invalid box).
        num_skipped_images (int): Samples skipped by this process because the
            pipeline returned None.
    """

    def __init__(self,
                 ann_file: str,
                 *,
                 data_root: str = '',
                 data_prefix: Optional[dict] = None,
                 pipeline: Sequence[Union[dict, Any]] = (),
                 max_regions: int = 4,
                 num_negatives: Optional[int] = FINEHARD_NUM_NEGATIVES,
                 path_key: str = 'img_path',
                 long_region_caption_prob: float = 0.0,
                 **kwargs) -> None:
        if not 0 <= long_region_caption_prob <= 1:
            raise ValueError(f'long_region_caption_prob must be in [0, 1], '
                             f'got {long_region_caption_prob!r}')
        self.long_region_caption_prob = float(long_region_caption_prob)
        if max_regions < 0:
            raise ValueError(f'max_regions must be >= 0, got {max_regions}')
        if num_negatives is not None and num_negatives < 1:
            raise ValueError(
                f'num_negatives must be >= 1 or None, got {num_negatives}')
        self.max_regions = max_regions
        self.num_negatives = num_negatives
        self.path_key = path_key
        self.skips = SkipSummary()
        self.num_skipped_images = 0
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            data_prefix=data_prefix or dict(img_path=''),
            pipeline=[
                TRANSFORMS.build(t) if isinstance(t, dict) else t
                for t in pipeline
            ],
            **kwargs)

    @property
    def num_dropped_regions(self) -> int:
        """Regions skipped while building the index."""
        return self.skips.count('region')

    def load_data_list(self) -> List[dict]:
        """Parse and check the annotation file into one dict per image.

        Returns:
            list[dict]: The fields of
            :func:`~fgclip_det.datasets.finehard_record.parse_finehard_record`
            with ``img_path`` joined to ``data_prefix['img_path']``; with
            ``long_region_caption_prob > 0`` also ``region_long_texts``
            (the ``long_expr`` of each region, None where it has none).

        Raises:
            RecordError: On a field of the wrong type.
            ValueError: On invalid JSON, or when the file as a whole is
                unusable (see
                :func:`~fgclip_det.datasets.finehard_record.check_finehard_file`).
        """
        img_root = self.data_prefix.get('img_path', '')
        summary, data_list = SkipSummary(), []
        for where, record in read_json_records(self.ann_file):
            info = parse_finehard_record(
                record, where, summary,
                path_key=self.path_key,
                max_regions=self.max_regions,
                num_negatives=self.num_negatives)
            if info is not None:
                info['img_path'] = osp.join(img_root, info['img_path'])
                if self.long_region_caption_prob == 0:
                    del info['region_long_texts']  # never drawn: not stored
                data_list.append(info)
        check_finehard_file(summary, self.ann_file)
        self.skips = summary
        summary.log(self.ann_file)
        return data_list

    def choose_region_captions(self, info: dict) -> dict:
        """Draw the region captions of a sample (see the class docstring).

        Sets ``region_short_texts`` to the ``short_expr`` of each region and
        ``region_texts`` to the captions drawn, in place.

        Returns:
            dict: ``info``.
        """
        shorts = info['region_texts']
        info['region_short_texts'] = list(shorts)
        longs = info.get('region_long_texts')
        if longs is None or not shorts:
            return info
        draws = np.random.random_sample(len(shorts))
        info['region_texts'] = [
            long if long is not None and draw < self.long_region_caption_prob
            else short for short, long, draw in zip(shorts, longs, draws)
        ]
        return info

    def prepare_data(self, idx: int) -> Any:
        """Draw the region captions, run the pipeline on sample ``idx``;
        count it when it fails.

        Returns:
            Any: The pipeline output, or None (MMEngine then draws another
            sample in training; in test mode it raises).
        """
        data = self.pipeline(self.choose_region_captions(self.get_data_info(idx)))
        if data is None:
            self.num_skipped_images += 1
            log_running_count(
                self.num_skipped_images,
                f'skipped {self.num_skipped_images} unreadable image(s) so '
                f"far in this process, the latest: "
                f"{self.get_data_info(idx)['img_path']}")
        return data
