"""FineHARD, the region-annotated pretraining set of FG-CLIP."""
import logging
import os.path as osp
from typing import Any, List, Optional, Sequence, Union

from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from fgclip_det.registry import DATASETS, TRANSFORMS

from .finehard_record import load_finehard_records, parse_finehard_record


def log_running_count(count: int, message: str) -> None:
    """Log ``message`` (about ``count`` events so far) when ``count`` is a
    power of two, so a frequent problem is reported but does not flood."""
    if count & (count - 1) == 0:
        print_log(message, logger='current', level=logging.WARNING)


@DATASETS.register_module()
class FineHARDDataset(BaseDataset):
    """Images with long and short captions, regions and hard negatives.

    Reads FineHARD annotation files (a JSON list or JSON lines, see
    :func:`~fgclip_det.datasets.finehard_record.load_finehard_records`) and
    the synthetic set in the same layout. Only the index is parsed here; the
    pipeline loads the images. Regions whose box is not finite, lies outside
    [0, 1] or has no area are dropped; the number dropped is logged once with
    the file name. Records without regions are kept (they still serve the
    global loss). When the pipeline returns None (the loading transform does
    so for a missing or corrupt image) the sample is replaced by another one
    (MMEngine's refetch) and the running count of skipped images is logged.

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
        max_regions (int): Regions kept per image. Defaults to 4 (FG-CLIP).
        path_key (str): Record key of the image path. Defaults to
            ``'img_path'``.
        **kwargs: Other :class:`mmengine.dataset.BaseDataset` arguments
            (``test_mode``, ``lazy_init``, ``indices``, ``max_refetch``...).

    Attributes:
        num_dropped_regions (int): Regions dropped for an invalid box.
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
                 path_key: str = 'img_path',
                 **kwargs) -> None:
        if max_regions < 0:
            raise ValueError(f'max_regions must be >= 0, got {max_regions}')
        self.max_regions = max_regions
        self.path_key = path_key
        self.num_dropped_regions = 0
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

    def load_data_list(self) -> List[dict]:
        """Parse the annotation file into one dict per image.

        Returns:
            list[dict]: The fields of
            :func:`~fgclip_det.datasets.finehard_record.parse_finehard_record`
            with ``img_path`` joined to ``data_prefix['img_path']``.
        """
        img_root = self.data_prefix.get('img_path', '')
        data_list, dropped, total = [], 0, 0
        for record in load_finehard_records(self.ann_file):
            info, num_dropped = parse_finehard_record(
                record,
                path_key=self.path_key,
                max_regions=self.max_regions)
            info['img_path'] = osp.join(img_root, info['img_path'])
            dropped += num_dropped
            total += len(record.get('bbox_info') or [])
            data_list.append(info)
        self.num_dropped_regions = dropped
        if dropped:
            print_log(
                f'{self.ann_file}: dropped {dropped} of {total} regions with '
                'an invalid box (not finite, outside [0, 1] or empty)',
                logger='current',
                level=logging.WARNING)
        return data_list

    def prepare_data(self, idx: int) -> Any:
        """Run the pipeline on sample ``idx``; count it when it fails.

        Returns:
            Any: The pipeline output, or None (MMEngine then draws another
            sample in training; in test mode it raises).
        """
        data = super().prepare_data(idx)
        if data is None:
            self.num_skipped_images += 1
            log_running_count(
                self.num_skipped_images,
                f'skipped {self.num_skipped_images} unreadable image(s) so '
                f"far in this process, the latest: "
                f"{self.get_data_info(idx)['img_path']}")
        return data
