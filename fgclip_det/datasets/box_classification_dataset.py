"""Box classification: every ground-truth box of a COCO / LVIS json."""
import math
import os.path as osp
from collections import defaultdict
from typing import List, Optional

from mmengine.dataset import BaseDataset
from mmengine.fileio import load
from mmengine.logging import print_log

from fgclip_det.registry import DATASETS

from .image_files import ImageFilesCheckMixin


def image_file_name(image: dict) -> str:
    """Path of an image entry relative to the image root.

    COCO entries give ``file_name``; LVIS v1 entries give ``coco_url``
    (``.../val2017/000000397133.jpg`` -> ``val2017/000000397133.jpg``).
    """
    if 'file_name' in image:
        return image['file_name']
    return '/'.join(image['coco_url'].split('/')[-2:])


@DATASETS.register_module()
class BoxClassificationDataset(ImageFilesCheckMixin, BaseDataset):
    """The ground-truth boxes of a COCO- or LVIS-format json, image by image.

    Labels index the categories sorted by id (``metainfo['classes']`` holds
    their names, read from the json). Crowd boxes and boxes whose shorter
    side is below ``min_size`` or whose longer side is above ``max_size``
    are dropped; the counts are logged and kept in :attr:`num_dropped`.
    Images left without boxes are skipped. The image files of the kept
    images are checked when the data set is built
    (:class:`~fgclip_det.datasets.image_files.MissingImageFilesError`).

    Each data info: ``img_path``, ``img_id``, ``height``, ``width`` and
    ``instances`` (``bbox`` pixel xyxy, ``bbox_label``, ``ignore_flag``),
    as mmdet's ``LoadAnnotations`` reads them.

    Args:
        min_size (float): Smallest shorter side kept, in pixels. Defaults
            to 1.
        max_size (float, optional): Largest longer side kept. Defaults to
            None (no limit).
        **kwargs: ``BaseDataset`` arguments (``ann_file``, ``data_root``,
            ``data_prefix=dict(img=...)``, ``pipeline``, ...).
    """

    MISSING_IMAGES_HINT = ('The images of the json (COCO 2017 for COCO and '
                           'LVIS v1) are needed under {folders}; '
                           'see docs/evaluation.md "Data layout".')

    def __init__(self,
                 *args,
                 min_size: float = 1.0,
                 max_size: Optional[float] = None,
                 **kwargs) -> None:
        if max_size is not None and max_size < min_size:
            raise ValueError(f'max_size {max_size} is below min_size '
                             f'{min_size}')
        self.min_size = min_size
        self.max_size = math.inf if max_size is None else max_size
        self.num_dropped = dict(crowd=0, small=0, large=0)
        kwargs.setdefault('data_prefix', dict(img=''))
        super().__init__(*args, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Read the json and group its kept boxes by image."""
        content = load(self.ann_file)
        categories = sorted(content['categories'], key=lambda c: c['id'])
        self._metainfo['classes'] = tuple(c['name'] for c in categories)
        label_of = {c['id']: label for label, c in enumerate(categories)}
        self.num_dropped = dict(crowd=0, small=0, large=0)
        boxes = defaultdict(list)
        for ann in content['annotations']:
            x, y, w, h = ann['bbox']
            if ann.get('iscrowd', 0):
                self.num_dropped['crowd'] += 1
            elif min(w, h) < self.min_size:
                self.num_dropped['small'] += 1
            elif max(w, h) > self.max_size:
                self.num_dropped['large'] += 1
            else:
                boxes[ann['image_id']].append(
                    dict(bbox=[x, y, x + w, y + h],
                         bbox_label=label_of[ann['category_id']],
                         ignore_flag=0))
        data_list = [
            dict(img_path=osp.join(self.data_prefix['img'],
                                   image_file_name(image)),
                 img_id=image['id'], height=image['height'],
                 width=image['width'], instances=boxes[image['id']])
            for image in content['images'] if boxes[image['id']]
        ]
        kept = sum(len(d['instances']) for d in data_list)
        print_log(
            f'{self.ann_file}: {kept} boxes in {len(data_list)} images; '
            f'dropped {self.num_dropped["crowd"]} crowd, '
            f'{self.num_dropped["small"]} with a side < {self.min_size} px, '
            f'{self.num_dropped["large"]} with a side > {self.max_size} px',
            logger='current')
        return data_list
