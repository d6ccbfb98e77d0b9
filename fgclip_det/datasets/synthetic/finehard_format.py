"""FineHARD-style pretraining records (FG-CLIP stage 2).

One record per image, with the field names of the real FineHARD files:
``img_path`` (relative to the output folder), ``caption`` (long),
``short_caption`` and ``bbox_info``, one entry per object (novel shapes
included: captions name every object) with ``bbox`` (normalised
``[x1, y1, x2, y2]``), ``short_expr``, ``long_expr``, ``flag_short_neg`` and
``short_expr_negs`` (``{"0": ..., "9": ...}``: ten expressions, each with
exactly one named attribute changed, the shape included, see
:mod:`.expressions`).

Training records caption at several levels of detail, as web captions do:
each region's ``short_expr`` names its shape and a sampled subset of its
attributes (:func:`~.expressions.sample_expression`; a bare name has too
few negatives and gets none) and the ``short_caption`` takes a sampled form
(:func:`~.captions.sampled_short_caption`). Validation records always use
the full expression and the full short caption, so validation measures one
fixed task.
"""
from collections.abc import Sequence

import numpy as np

from .captions import (
    long_caption,
    long_expression,
    sampled_short_caption,
    short_caption,
)
from .expressions import RegionExpression, one_change_negatives, sample_expression
from .files import SyntheticImage
from .negatives import NUM_NEGATIVES
from .scene import Scene
from .seeding import derive_rng

_DECIMALS = 6  # of the normalised box coordinates


def _region(scene: Scene, index: int, expression: RegionExpression,
            rng: np.random.Generator) -> dict:
    others = scene.specs[:index] + scene.specs[index + 1:]
    negatives = one_change_negatives(
        expression, rng, others=others, num=NUM_NEGATIVES)
    width, height = scene.image_size
    x1, y1, x2, y2 = scene.objects[index].bbox
    region = {
        'bbox': [round(x1 / width, _DECIMALS), round(y1 / height, _DECIMALS),
                 round(x2 / width, _DECIMALS), round(y2 / height, _DECIMALS)],
        'short_expr': expression.text,
        'long_expr': long_expression(scene, index),
        'flag_short_neg': bool(negatives),
    }
    if negatives:
        region['short_expr_negs'] = {str(i): negative.text
                                     for i, negative in enumerate(negatives)}
    return region


def finehard_records(images: Sequence[SyntheticImage],
                     seed: int) -> list[dict]:
    """The FineHARD records of one split.

    Args:
        images (Sequence[SyntheticImage]): Images of one split.
        seed (int): Seed of the data set (picks levels and negatives).

    Returns:
        list[dict]: One record per image.
    """
    records = []
    for image in images:
        scene = image.scene
        rng = derive_rng(seed, image.split, image.image_id, 'finehard')
        train = image.split == 'train'
        bbox_info = []
        for index, spec in enumerate(scene.specs):
            expression = (sample_expression(spec, rng, scene.specs)
                          if train else RegionExpression(spec))
            bbox_info.append(_region(scene, index, expression, rng))
        records.append({
            'img_path': image.img_path,
            'caption': long_caption(scene),
            'short_caption': (sampled_short_caption(scene, rng)
                              if train else short_caption(scene)),
            'bbox_info': bbox_info,
        })
    return records
