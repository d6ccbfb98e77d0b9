"""Pack FineHARD records and their images into WebDataset tar shards."""
import json
import logging
import os
import os.path as osp
from typing import Dict, List, Optional, Union

import webdataset as wds
from mmengine.logging import print_log
from tqdm import tqdm

from .finehard_record import (
    FINEHARD_NUM_NEGATIVES,
    check_finehard_file,
    parse_finehard_record,
)
from .json_records import read_json_records
from .skip_summary import SkipSummary

#: Sample keys (file extensions inside a shard) that hold an image.
IMAGE_EXTENSIONS = ('jpg', 'jpeg', 'png', 'webp', 'bmp')
#: Sample key of the annotation record.
RECORD_KEY = 'json'


def write_finehard_shards(ann_file: str,
                          out_dir: str,
                          *,
                          img_root: str = '',
                          samples_per_shard: int = 1000,
                          prefix: str = 'finehard',
                          path_key: str = 'img_path',
                          max_regions: int = 4,
                          num_negatives: Optional[int] = FINEHARD_NUM_NEGATIVES,
                          progress: bool = False
                          ) -> Dict[str, Union[List[str], int, SkipSummary]]:
    """Write ``{prefix}-NNNNNN.tar`` shards of image bytes + JSON records.

    Each sample holds the image file's bytes as they are (under its
    extension, e.g. ``jpg``) and the FineHARD record unchanged (``json``),
    so the streaming dataset parses it exactly as
    :class:`~fgclip_det.datasets.FineHARDDataset` does. Every record is
    first checked against the FineHARD schema, as that dataset checks it: a
    field of the wrong type, or a file that is unusable as a whole, raises
    before any shard is written; records the schema skips are left out and
    counted, and so are records whose image file is missing or whose
    extension is not an image's. Corrupt images are copied (the loading
    transform skips them).

    Args:
        ann_file (str): FineHARD annotation file (JSON list or JSON lines).
        out_dir (str): Output folder, created if needed.
        img_root (str): Folder the record image paths are relative to.
            Defaults to ``''``.
        samples_per_shard (int): Samples in each shard (the last may hold
            fewer). Defaults to 1000.
        prefix (str): Shard file name prefix. Defaults to ``'finehard'``.
        path_key (str): Record key of the image path. Defaults to
            ``'img_path'``.
        max_regions (int): As for ``FineHARDDataset``: 0 does not check the
            regions. Defaults to 4.
        num_negatives (int, optional): As for ``FineHARDDataset``. Defaults
            to 10.
        progress (bool): Show a progress bar over the records. Defaults to
            False.

    Returns:
        dict: ``shards`` (list of the written paths), ``num_samples``,
        ``num_missing`` (records left out for their image), ``num_skipped``
        (records left out by the schema) and ``skips`` (the
        :class:`~fgclip_det.datasets.skip_summary.SkipSummary`).

    Raises:
        RecordError: On a field of the wrong type.
        ValueError: On invalid JSON or an unusable file.
    """
    if samples_per_shard <= 0:
        raise ValueError(
            f'samples_per_shard must be positive, got {samples_per_shard}')
    summary, records = SkipSummary(), []
    for where, record in read_json_records(ann_file):
        if parse_finehard_record(record, where, summary, path_key=path_key,
                                 max_regions=max_regions,
                                 num_negatives=num_negatives) is not None:
            records.append(record)
    check_finehard_file(summary, ann_file)
    summary.log(ann_file)
    os.makedirs(out_dir, exist_ok=True)
    shards: List[str] = []
    writer = None
    num_samples = num_missing = 0
    try:
        for record in tqdm(records, desc=f'packing {osp.basename(ann_file)}',
                           unit='record', disable=not progress):
            path = osp.join(img_root, record[path_key])
            ext = osp.splitext(path)[1].lstrip('.').lower()
            if ext not in IMAGE_EXTENSIONS or not osp.isfile(path):
                num_missing += 1
                continue
            if num_samples % samples_per_shard == 0:
                if writer is not None:
                    writer.close()
                shards.append(
                    osp.join(out_dir, f'{prefix}-{len(shards):06d}.tar'))
                writer = wds.TarWriter(shards[-1])
            with open(path, 'rb') as f:
                image = f.read()
            writer.write({
                '__key__': f'{num_samples:09d}',
                ext: image,
                RECORD_KEY: json.dumps(record).encode('utf-8'),
            })
            num_samples += 1
    finally:
        if writer is not None:
            writer.close()
    if num_missing:
        print_log(
            f'{ann_file}: left out {num_missing} record(s) whose image is '
            'missing or not an image file',
            logger='current',
            level=logging.WARNING)
    return dict(shards=shards, num_samples=num_samples,
                num_missing=num_missing, num_skipped=summary.count('record'),
                skips=summary)
