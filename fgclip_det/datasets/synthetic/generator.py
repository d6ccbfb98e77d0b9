"""Generating the whole synthetic set into one folder.

Layout (paths relative to the output folder)::

    manifest.json                     what was generated, and how
    images/{train,val}/000001.png
    annotations/instances_{train,val}.json   COCO detection
    annotations/ov_split.json         base and novel shapes
    finehard/{train,val}.json         FineHARD-style pretraining records
    fgovd/{h,m,e}_attributes_llava.jsonl, shuffle_negatives_llava.jsonl
    retrieval/val.json                long and short captions per image
"""
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from PIL import Image
from tqdm import tqdm

from .coco_format import coco_instances, ov_split
from .fgovd_format import fgovd_lines
from .files import (
    MANIFEST,
    OV_SPLIT,
    RETRIEVAL,
    SyntheticImage,
    coco_file,
    fgovd_file,
    finehard_file,
    image_dir,
    write_json,
    write_jsonl,
)
from .finehard_format import finehard_records
from .rendering import paint_scene, render_background
from .retrieval_format import retrieval_records
from .scene import sample_scene
from .seeding import derive_rng
from .vocabulary import NUMBER_WORDS, SHAPES

GENERATOR_VERSION = '2.0.0'
DEFAULT_NOVEL_CLASSES = ('star', 'heart')
IMAGE_FORMATS = {'png': 'PNG', 'jpg': 'JPEG'}
MIN_IMAGE_SIDE = 64
_JPEG_QUALITY = 95
# zlib level 1: the grain of the background barely compresses anyway, and
# higher levels take most of the generation time.
_PNG_COMPRESS_LEVEL = 1


def _check_args(num_train: int, num_val: int, image_size: tuple[int, int],
                max_objects: int, max_occlusion: float, sibling_prob: float,
                closeup_prob: float, novel_classes: Sequence[str],
                image_format: str) -> None:
    if num_train < 1 or num_val < 1:
        raise ValueError('num_train and num_val must be at least 1, got '
                         f'{num_train} and {num_val}')
    if min(image_size) < MIN_IMAGE_SIDE:
        raise ValueError(f'image sides must be at least {MIN_IMAGE_SIDE} '
                         f'pixels, got {image_size}')
    if not 1 <= max_objects < len(NUMBER_WORDS):
        raise ValueError(f'max_objects must be in 1..{len(NUMBER_WORDS) - 1}, '
                         f'got {max_objects}')
    if not 0 <= max_occlusion < 1:
        raise ValueError(f'max_occlusion must be in [0, 1), got {max_occlusion}')
    if not 0 <= sibling_prob <= 1:
        raise ValueError(f'sibling_prob must be in [0, 1], got {sibling_prob}')
    if not 0 <= closeup_prob <= 1:
        raise ValueError(f'closeup_prob must be in [0, 1], got {closeup_prob}')
    if isinstance(novel_classes, str):
        raise ValueError('novel_classes must be a sequence of shape names, '
                         f'got the string {novel_classes!r}')
    for name in novel_classes:
        if name not in SHAPES:
            raise ValueError(
                f'novel class must be one of {SHAPES}, got {name!r}')
    if len(set(novel_classes)) >= len(SHAPES):
        raise ValueError('at least one shape must stay a base class, got '
                         f'novel_classes={tuple(novel_classes)}')
    if image_format not in IMAGE_FORMATS:
        raise ValueError(f'image_format must be one of '
                         f'{tuple(IMAGE_FORMATS)}, got {image_format!r}')


def _generate_split(out_dir: Path, split: str, num: int, *, seed: int,
                    image_size: tuple[int, int], first_shapes: Sequence[str],
                    image_format: str, progress: bool,
                    **scene_kwargs) -> list[SyntheticImage]:
    folder = out_dir / image_dir(split)
    folder.mkdir(parents=True, exist_ok=True)
    images = []
    for image_id in tqdm(range(1, num + 1), desc=f'synthetic {split}',
                         unit='img', disable=not progress):
        rng = derive_rng(seed, split, image_id, 'scene')
        background = render_background(rng, image_size)
        scene = sample_scene(
            rng, image_size, first_shapes=first_shapes, **scene_kwargs)
        image = SyntheticImage(split, image_id,
                               f'{image_id:06d}.{image_format}', scene)
        save_kwargs = ({'quality': _JPEG_QUALITY} if image_format == 'jpg'
                       else {'compress_level': _PNG_COMPRESS_LEVEL})
        Image.fromarray(paint_scene(background, scene)).save(
            folder / image.file_name, IMAGE_FORMATS[image_format],
            **save_kwargs)
        images.append(image)
    return images


def generate_synthetic_dataset(
        out_dir: str | Path,
        *,
        seed: int = 0,
        num_train: int = 1000,
        num_val: int = 100,
        image_size: int | tuple[int, int] = 224,
        max_objects: int = 4,
        max_occlusion: float = 0.15,
        sibling_prob: float = 0.5,
        closeup_prob: float = 0.25,
        novel_classes: Sequence[str] = DEFAULT_NOVEL_CLASSES,
        image_format: Literal['png', 'jpg'] = 'png',
        progress: bool = True) -> dict:
    """Generate the synthetic fine-grained detection and captioning set.

    The same arguments give byte-identical annotation files.

    Args:
        out_dir (str | Path): Output folder, created if missing; existing
            files of the same names are overwritten.
        seed (int): Random seed. Defaults to 0.
        num_train (int): Training images. Defaults to 1000.
        num_val (int): Validation images. Defaults to 100.
        image_size (int | tuple[int, int]): Side of a square image, or
            ``(width, height)``, at least 64 pixels. Defaults to 224.
        max_objects (int): Objects per image are drawn from 1 to this.
            Defaults to 4.
        max_occlusion (float): Largest hidden fraction of an object.
            Defaults to 0.15.
        sibling_prob (float): Probability that an object repeats an earlier
            object's shape with one other attribute changed. Defaults to 0.5.
        closeup_prob (float): Fraction of close-ups among the training
            images, images of one large object (see :mod:`.scene`); the
            validation images have none. Defaults to 0.25.
        novel_classes (Sequence[str]): Shapes without training boxes.
            Defaults to ``('star', 'heart')``.
        image_format (str): ``'png'`` (lossless) or ``'jpg'``.
            Defaults to ``'png'``.
        progress (bool): Show a progress bar. Defaults to True.

    Returns:
        dict: The manifest, also written to ``manifest.json``.
    """
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    image_size = (int(image_size[0]), int(image_size[1]))
    _check_args(num_train, num_val, image_size, max_objects, max_occlusion,
                sibling_prob, closeup_prob, novel_classes, image_format)
    out_dir = Path(out_dir)
    base_classes = [s for s in SHAPES if s not in novel_classes]
    novel = [s for s in SHAPES if s in novel_classes]
    common = dict(
        seed=seed,
        image_size=image_size,
        image_format=image_format,
        progress=progress,
        max_objects=max_objects,
        max_occlusion=max_occlusion,
        sibling_prob=sibling_prob,
        closeup_prob=closeup_prob)
    # The first object of a training image is a base shape: every training
    # image has at least one box.
    train = _generate_split(
        out_dir, 'train', num_train, first_shapes=base_classes, **common)
    # Close-ups are pretraining images: validation measures scenes.
    val = _generate_split(out_dir, 'val', num_val, first_shapes=SHAPES,
                          **{**common, 'closeup_prob': 0.0})

    json_files = {
        coco_file('train'): coco_instances(train, labelled=base_classes),
        coco_file('val'): coco_instances(val, labelled=SHAPES),
        OV_SPLIT: ov_split(novel),
        finehard_file('train'): finehard_records(train, seed),
        finehard_file('val'): finehard_records(val, seed),
        RETRIEVAL: retrieval_records(val),
    }
    for name, data in json_files.items():
        write_json(out_dir / name, data)
    jsonl_files = {
        fgovd_file(name): lines
        for name, lines in fgovd_lines(val, seed).items()
    }
    for name, lines in jsonl_files.items():
        write_jsonl(out_dir / name, lines)
    annotation_files = sorted([*json_files, *jsonl_files])

    manifest = {
        'generator': 'fgclip_det.datasets.synthetic',
        'version': GENERATOR_VERSION,
        'seed': seed,
        'image_size': list(image_size),
        'image_format': image_format,
        'max_objects': max_objects,
        'max_occlusion': max_occlusion,
        'sibling_prob': sibling_prob,
        'closeup_prob': closeup_prob,
        'classes': list(SHAPES),
        'base_classes': base_classes,
        'novel_classes': novel,
        'num_images': {'train': len(train), 'val': len(val)},
        'num_objects': {
            split: sum(len(image.scene.objects) for image in images)
            for split, images in (('train', train), ('val', val))
        },
        'sha256': {
            name: hashlib.sha256((out_dir / name).read_bytes()).hexdigest()
            for name in annotation_files
        },
        'files': annotation_files + [image.img_path for image in train + val],
    }
    write_json(out_dir / MANIFEST, manifest, indent=2)
    return manifest
