"""COCO instances files and the open-vocabulary split of the synthetic set.

Categories are the shapes, ids 1..8 in :data:`~.vocabulary.SHAPES` order, and
every file lists all of them. Boxes are written only for the ``labelled``
shapes: the training file leaves the novel shapes unlabelled although they
appear in its images, as OV-COCO does. Each image entry carries an extra field
``present_category_ids``: the categories drawn in it, labelled or not.
Boxes are COCO ``[x, y, w, h]`` in pixels, tight around the visible pixels;
``area`` is the visible pixel count; no ``segmentation`` is written.
"""
from collections.abc import Collection, Sequence

from .files import SyntheticImage
from .vocabulary import SHAPES

CATEGORY_IDS = {name: i for i, name in enumerate(SHAPES, start=1)}


def coco_categories() -> list[dict]:
    """The COCO ``categories`` list."""
    return [{'id': i, 'name': name, 'supercategory': 'shape'}
            for name, i in CATEGORY_IDS.items()]


def coco_instances(images: Sequence[SyntheticImage], *,
                   labelled: Collection[str]) -> dict:
    """A COCO instances file.

    Args:
        images (Sequence[SyntheticImage]): Images of one split.
        labelled (Collection[str]): Shapes that get boxes.

    Returns:
        dict: With keys ``images``, ``annotations`` and ``categories``.
    """
    image_entries, annotations = [], []
    for image in images:
        width, height = image.scene.image_size
        present = sorted({CATEGORY_IDS[s.shape] for s in image.scene.specs})
        image_entries.append({
            'id': image.image_id,
            'file_name': image.file_name,
            'width': width,
            'height': height,
            'present_category_ids': present,
        })
        for obj in image.scene.objects:
            if obj.spec.shape not in labelled:
                continue
            x1, y1, x2, y2 = obj.bbox
            annotations.append({
                'id': len(annotations) + 1,
                'image_id': image.image_id,
                'category_id': CATEGORY_IDS[obj.spec.shape],
                'bbox': [float(x1), float(y1), float(x2 - x1),
                         float(y2 - y1)],
                'area': float(obj.area),
                'iscrowd': 0,
            })
    return {
        'images': image_entries,
        'annotations': annotations,
        'categories': coco_categories(),
    }


def ov_split(novel_classes: Collection[str]) -> dict:
    """The open-vocabulary split: ``{'base': [...], 'novel': [...]}``, each a
    list of ``{'id', 'name'}`` in category order."""
    return {
        group: [{'id': i, 'name': name} for name, i in CATEGORY_IDS.items()
                if (name in novel_classes) == (group == 'novel')]
        for group in ('base', 'novel')
    }
