"""FineHARD-style pretraining records (FG-CLIP stage 2).

One record per image, with the field names of the real FineHARD files:
``img_path`` (relative to the output folder), ``caption`` (long),
``short_caption`` and ``bbox_info``, one entry per object (novel shapes
included: captions name every object) with ``bbox`` (normalised
``[x1, y1, x2, y2]``), ``short_expr``, ``long_expr``, ``flag_short_neg`` and
``short_expr_negs`` (``{"0": ..., "9": ...}``: ten short expressions, each
with exactly one attribute changed, see :mod:`.negatives`).
"""
from collections.abc import Sequence

from .captions import long_caption, long_expression, short_caption
from .files import SyntheticImage
from .negatives import attribute_negatives
from .seeding import derive_rng

_DECIMALS = 6  # of the normalised box coordinates


def finehard_records(images: Sequence[SyntheticImage],
                     seed: int) -> list[dict]:
    """The FineHARD records of one split.

    Args:
        images (Sequence[SyntheticImage]): Images of one split.
        seed (int): Seed of the data set (picks the negatives).

    Returns:
        list[dict]: One record per image.
    """
    records = []
    for image in images:
        scene = image.scene
        rng = derive_rng(seed, image.split, image.image_id, 'finehard')
        width, height = scene.image_size
        bbox_info = []
        for index, obj in enumerate(scene.objects):
            others = scene.specs[:index] + scene.specs[index + 1:]
            negatives = attribute_negatives(obj.spec, 1, rng, exclude=others)
            x1, y1, x2, y2 = obj.bbox
            bbox_info.append({
                'bbox': [round(x1 / width, _DECIMALS),
                         round(y1 / height, _DECIMALS),
                         round(x2 / width, _DECIMALS),
                         round(y2 / height, _DECIMALS)],
                'short_expr': obj.spec.expression,
                'long_expr': long_expression(scene, index),
                'flag_short_neg': True,
                'short_expr_negs': {str(i): neg.expression
                                    for i, neg in enumerate(negatives)},
            })
        records.append({
            'img_path': image.img_path,
            'caption': long_caption(scene),
            'short_caption': short_caption(scene),
            'bbox_info': bbox_info,
        })
    return records
