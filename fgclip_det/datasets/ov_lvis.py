"""The OV-LVIS split: the 337 rare LVIS v1 classes are novel.

Detectors train on the annotations of the frequent and common classes
(``lvis_v1_train_norare.json``) and are evaluated on all 1203 classes, with
APr (rare) as the open-vocabulary figure. :class:`OVLVISDataset` is mmdet's
``LVISV1Dataset`` with its image files checked when built.
"""
from typing import Any, Dict

from mmdet.datasets import LVISV1Dataset

from fgclip_det.registry import DATASETS

from .image_files import ImageFilesCheckMixin

#: LVIS ``frequency`` of the novel classes.
RARE_FREQUENCY = 'r'


def drop_rare_lvis(lvis: Dict[str, Any]) -> Dict[str, Any]:
    """The OV-LVIS training set from an LVIS v1 train dict.

    Keeps every category (so class indices stay those of LVIS v1) and every
    image (LVIS lists negative categories per image), and drops the
    annotations of rare categories.

    Args:
        lvis (dict): LVIS json content.

    Returns:
        dict: A new LVIS dict (other top-level entries are kept).

    Raises:
        ValueError: If a category has no ``frequency`` (not LVIS v1).
    """
    without = [c.get('id') for c in lvis['categories'] if 'frequency' not in c]
    if without:
        raise ValueError('not an LVIS v1 file: categories without a '
                         f'"frequency" field, e.g. id {without[0]}')
    rare_ids = {c['id'] for c in lvis['categories']
                if c['frequency'] == RARE_FREQUENCY}
    annotations = [a for a in lvis['annotations']
                   if a['category_id'] not in rare_ids]
    return dict(lvis, annotations=annotations)


@DATASETS.register_module()
class OVLVISDataset(ImageFilesCheckMixin, LVISV1Dataset):
    """mmdet's ``LVISV1Dataset`` that checks its image files when built.

    Raises :class:`~fgclip_det.datasets.image_files.MissingImageFilesError`
    (naming the annotation file, the number of missing images and the first
    ones) instead of failing mid-epoch or at test time. Arguments are those
    of ``LVISV1Dataset``.
    """

    MISSING_IMAGES_HINT = (
        'LVIS v1 reads the COCO 2017 images (train2017/ and val2017/, links '
        'to data/coco/ do): they are needed under {folders}; see README '
        '"Data preparation".')
