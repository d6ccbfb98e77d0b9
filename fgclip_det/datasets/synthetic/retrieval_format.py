"""The retrieval set: every validation image with its long and short caption.

A JSON list of ``{'image_id', 'img_path', 'caption', 'short_caption'}``
(``caption`` is the long one, as in FineHARD), for image <-> text retrieval
with long and with short texts.
"""
from collections.abc import Sequence

from .captions import long_caption, short_caption
from .files import SyntheticImage


def retrieval_records(images: Sequence[SyntheticImage]) -> list[dict]:
    """One record per image.

    Args:
        images (Sequence[SyntheticImage]): The validation images.

    Returns:
        list[dict]: Records with keys ``image_id``, ``img_path``, ``caption``
        and ``short_caption``.
    """
    return [{
        'image_id': image.image_id,
        'img_path': image.img_path,
        'caption': long_caption(image.scene),
        'short_caption': short_caption(image.scene),
    } for image in images]
