"""An FG-OVD-style benchmark over the validation images.

The four files of the real benchmark, with its line layout (read by
:func:`fgclip_det.datasets.load_fgovd_jsonl`): one line per object and file,
the positive and its ten negatives written as sentences (``'A small striped
red circle.'``). The negatives of the hard, medium and easy files change
exactly 1, 2 and 3 attributes of the positive; those of the trivial
(``shuffle_negatives``) file change all four, i.e. they describe another
object altogether. As in the real files, each line's texts get their own
vocabulary ids: ``category_id`` for the positive and the next ten for the
negatives.
"""
from collections.abc import Sequence

from ..fgovd import FGOVD_FILES
from .captions import as_sentence
from .files import SyntheticImage
from .negatives import NUM_NEGATIVES, attribute_negatives
from .seeding import derive_rng
from .vocabulary import ATTRIBUTES

# Attributes changed in the negatives of each file.
CHANGED_ATTRIBUTES = {
    '1_attributes': 1,
    '2_attributes': 2,
    '3_attributes': 3,
    'shuffle_negatives': len(ATTRIBUTES),
}


def fgovd_lines(images: Sequence[SyntheticImage],
                seed: int) -> dict[str, list[dict]]:
    """The lines of the four benchmark files.

    Args:
        images (Sequence[SyntheticImage]): The validation images.
        seed (int): Seed of the data set (picks the negatives).

    Returns:
        dict[str, list[dict]]: File name (e.g. ``'h_attributes_llava.jsonl'``)
        to its lines.
    """
    lines: dict[str, list[dict]] = {name: [] for name in FGOVD_FILES}
    for image in images:
        scene = image.scene
        rng = derive_rng(seed, image.split, image.image_id, 'fgovd')
        width, height = scene.image_size
        for index, obj in enumerate(scene.objects):
            others = scene.specs[:index] + scene.specs[index + 1:]
            x1, y1, x2, y2 = obj.bbox
            for name, test_type in FGOVD_FILES.items():
                negatives = attribute_negatives(
                    obj.spec, CHANGED_ATTRIBUTES[test_type], rng,
                    exclude=others)
                sent_id = len(lines[name])
                category_id = sent_id * (NUM_NEGATIVES + 1)
                lines[name].append({
                    'img_path': image.img_path,
                    'bbox': [float(x1), float(y1), float(x2 - x1),
                             float(y2 - y1)],
                    'pos_expression': [as_sentence(obj.spec.expression)],
                    'neg_expression': [as_sentence(n.expression)
                                       for n in negatives],
                    'category_id': category_id,
                    'neg_category_ids': list(
                        range(category_id + 1,
                              category_id + NUM_NEGATIVES + 1)),
                    'width': width,
                    'height': height,
                    'image_id': image.image_id,
                    'sent_id': sent_id,
                    'test_type': test_type,
                })
    return lines
