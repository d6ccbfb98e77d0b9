"""Make an image-folder classification set from the boxes of a COCO json."""
import os
import os.path as osp

from mmengine.fileio import load
from PIL import Image

from .box_classification_dataset import image_file_name


def write_crop_folder(ann_file: str, image_dir: str, out_dir: str,
                      min_size: float = 16.0, context: float = 0.1) -> int:
    """Save every non-crowd box of ``ann_file`` as ``out_dir/<class>/<id>.png``.

    Gives a small zero-shot classification set (class folders named after
    the categories) from a detection set, e.g. the synthetic one.

    Args:
        ann_file (str): COCO-format json.
        image_dir (str): Folder the images' ``file_name``s are relative to.
        out_dir (str): Output folder (created).
        min_size (float): Boxes with a shorter side below this are skipped.
            Defaults to 16.
        context (float): Margin added on every side, as a fraction of the
            box side. Defaults to 0.1.

    Returns:
        int: The number of crops written.
    """
    content = load(ann_file)
    names = {c['id']: c['name'] for c in content['categories']}
    for name in names.values():
        os.makedirs(osp.join(out_dir, name), exist_ok=True)
    images = {image['id']: image for image in content['images']}
    count = 0
    for ann in content['annotations']:
        x, y, w, h = ann['bbox']
        if ann.get('iscrowd', 0) or min(w, h) < min_size:
            continue
        image = images[ann['image_id']]
        with Image.open(osp.join(image_dir, image_file_name(image))) as img:
            crop = img.convert('RGB').crop(
                (max(0, x - context * w), max(0, y - context * h),
                 min(img.width, x + (1 + context) * w),
                 min(img.height, y + (1 + context) * h)))
        crop.save(osp.join(out_dir, names[ann['category_id']],
                           f'{ann["id"]:08d}.png'))
        count += 1
    return count
