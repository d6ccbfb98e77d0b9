"""Read a detection vocabulary: a name list, a file of names, or a COCO json."""
import json
import os.path as osp
from typing import List

from .class_names import check_class_names


def load_vocabulary(spec: str) -> List[str]:
    """Class names from any of the usual sources.

    Args:
        spec (str): One of

            - a ``.json`` file in COCO / LVIS format: its ``categories``
              sorted by id (the order of mmdet's datasets);
            - a text file: one class name a line (blank lines skipped);
            - otherwise a comma-separated list, ``'cat,dog,traffic light'``.

    Returns:
        list[str]: The class names, in order.

    Raises:
        ValueError: If there is no name, a json category or a list item is
            empty, or two names collide (see
            :func:`~fgclip_det.models.text.class_names.check_class_names`).
    """
    if spec.endswith('.json'):
        with open(spec, encoding='utf-8') as f:
            categories = json.load(f)['categories']
        names = [c['name'] for c in sorted(categories, key=lambda c: c['id'])]
    elif osp.isfile(spec):
        with open(spec, encoding='utf-8') as f:
            names = [line.strip() for line in f if line.strip()]
    else:
        names = [name.strip() for name in spec.split(',')]
    check_class_names(names, spec)
    return names
