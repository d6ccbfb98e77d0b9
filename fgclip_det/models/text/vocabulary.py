"""Read a detection vocabulary: a name list, a file of names, or a COCO json."""
import json
import os.path as osp
from typing import List


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
    """
    if spec.endswith('.json'):
        with open(spec, encoding='utf-8') as f:
            categories = json.load(f)['categories']
        names = [c['name'] for c in sorted(categories, key=lambda c: c['id'])]
    elif osp.isfile(spec):
        with open(spec, encoding='utf-8') as f:
            names = [line.strip() for line in f if line.strip()]
    else:
        names = [name.strip() for name in spec.split(',') if name.strip()]
    if not names:
        raise ValueError(f'no class names in {spec!r}')
    if len(set(names)) != len(names):
        raise ValueError(f'duplicate class names in {spec!r}')
    return names
