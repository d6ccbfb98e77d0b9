"""Where each file of the synthetic set goes, and how JSON is written.

All paths are relative to the output folder. JSON keeps insertion order and
fixed separators, so the same content always gives the same bytes.
"""
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .scene import Scene

MANIFEST = 'manifest.json'
OV_SPLIT = 'annotations/ov_split.json'
RETRIEVAL = 'retrieval/val.json'


def image_dir(split: str) -> str:
    """Folder of a split's images, e.g. ``'images/train/'``."""
    return f'images/{split}/'


def coco_file(split: str) -> str:
    """COCO instances file of a split."""
    return f'annotations/instances_{split}.json'


def finehard_file(split: str) -> str:
    """FineHARD-style pretraining records of a split."""
    return f'finehard/{split}.json'


def fgovd_file(name: str) -> str:
    """An FG-OVD-style benchmark file, e.g. ``'h_attributes_llava.jsonl'``."""
    return f'fgovd/{name}'


@dataclass
class SyntheticImage:
    """One generated image.

    Args:
        split (str): ``'train'`` or ``'val'``.
        image_id (int): Id within the split, from 1.
        file_name (str): Name inside the split's image folder.
        scene (Scene): Its objects.
    """

    split: str
    image_id: int
    file_name: str
    scene: Scene

    @property
    def img_path(self) -> str:
        """Path relative to the output folder."""
        return image_dir(self.split) + self.file_name


def write_json(path: Path, data: Any, indent: int | None = None) -> None:
    """Write JSON, compact unless ``indent`` is given, creating the parent
    folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    separators = (',', ': ') if indent else (',', ':')
    path.write_text(
        json.dumps(data, indent=indent, separators=separators) + '\n',
        encoding='utf-8')


def write_jsonl(path: Path, records: Iterable[dict]) -> None:
    """Write one JSON object a line, creating the parent folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        ''.join(json.dumps(r) + '\n' for r in records), encoding='utf-8')
