"""Read a vocabulary: a name list, a file of names, a COCO json or a folder."""
import json
import os
import os.path as osp
from typing import List, Tuple

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
            :func:`~fgclip_det.datasets.class_names.check_class_names`).
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


def list_class_folders(root: str) -> List[str]:
    """Sorted names of the sub-folders of ``root`` (the class labels)."""
    names = sorted(entry.name for entry in os.scandir(root) if entry.is_dir())
    if not names:
        raise ValueError(f'no class folders in {root}')
    return names


def read_class_names(spec: str) -> Tuple[str, ...]:
    """Class names from a folder of class folders, or a vocabulary spec.

    Args:
        spec (str): A folder (its sub-folder names, sorted, as
            :class:`~fgclip_det.datasets.ZeroShotFolderDataset` labels
            them), or anything :func:`load_vocabulary` reads (a COCO / LVIS
            json, a text file with one name a line, a comma-separated list).
    """
    if osp.isdir(spec):
        return tuple(list_class_folders(spec))
    return tuple(load_vocabulary(spec))
