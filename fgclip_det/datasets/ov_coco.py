"""The OV-COCO split: 48 base and 17 novel COCO classes.

From Bansal et al. (ECCV 2018), as used by OVR-CNN, ViLD and F-ViT: detectors
train on boxes of the base classes only and are evaluated by AP50 on novel,
base and all 65 classes. Names follow mmdet's ``CocoDataset``;
:class:`OVCocoDataset` is that data set with its image files checked when
built.
"""
from typing import Any, Dict

from mmdet.datasets import CocoDataset

from fgclip_det.registry import DATASETS

from .image_files import ImageFilesCheckMixin

OV_COCO_BASE_CLASSES = (
    'person', 'bicycle', 'car', 'motorcycle', 'train', 'truck', 'boat',
    'bench', 'bird', 'horse', 'sheep', 'bear', 'zebra', 'giraffe', 'backpack',
    'handbag', 'suitcase', 'frisbee', 'skis', 'kite', 'surfboard', 'bottle',
    'fork', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange',
    'broccoli', 'carrot', 'pizza', 'donut', 'chair', 'bed', 'toilet', 'tv',
    'laptop', 'mouse', 'remote', 'microwave', 'oven', 'toaster',
    'refrigerator', 'book', 'clock', 'vase', 'toothbrush')
OV_COCO_NOVEL_CLASSES = (
    'airplane', 'bus', 'cat', 'dog', 'cow', 'elephant', 'umbrella', 'tie',
    'snowboard', 'skateboard', 'cup', 'knife', 'cake', 'couch', 'keyboard',
    'sink', 'scissors')
#: The 65 classes in COCO's order.
OV_COCO_CLASSES = tuple(
    name for name in CocoDataset.METAINFO['classes']
    if name in OV_COCO_BASE_CLASSES or name in OV_COCO_NOVEL_CLASSES)


def base_only_coco(coco: Dict[str, Any]) -> Dict[str, Any]:
    """The OV-COCO training set from a COCO instances dict.

    Keeps the 65 OV-COCO categories (original ids), the annotations of base
    categories and the images that still have one.

    Args:
        coco (dict): COCO instances json content.

    Returns:
        dict: A new COCO dict (other top-level entries are kept).
    """
    names = {c['name'] for c in coco['categories']}
    missing = sorted(set(OV_COCO_CLASSES) - names)
    if missing:
        raise ValueError(f'not a COCO instances file: no category {missing}')
    categories = [c for c in coco['categories'] if c['name'] in OV_COCO_CLASSES]
    base_ids = {c['id'] for c in categories if c['name'] in OV_COCO_BASE_CLASSES}
    annotations = [a for a in coco['annotations'] if a['category_id'] in base_ids]
    image_ids = {a['image_id'] for a in annotations}
    images = [image for image in coco['images'] if image['id'] in image_ids]
    return dict(coco, categories=categories, annotations=annotations,
                images=images)


@DATASETS.register_module()
class OVCocoDataset(ImageFilesCheckMixin, CocoDataset):
    """mmdet's ``CocoDataset`` that checks its image files when built.

    Raises :class:`~fgclip_det.datasets.image_files.MissingImageFilesError`
    (naming the annotation file, the number of missing images and the first
    ones) instead of failing mid-epoch or at test time. Arguments are those
    of ``CocoDataset``; the configs pass the 65 OV-COCO classes as
    ``metainfo``.
    """

    MISSING_IMAGES_HINT = ('COCO 2017 images are needed under {folders}; '
                           'see README "Data preparation".')
