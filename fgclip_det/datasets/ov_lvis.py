"""The OV-LVIS split: the 337 rare LVIS v1 classes are novel.

Detectors train on the annotations of the frequent and common classes
(``lvis_v1_train_norare.json``) and are evaluated on all 1203 classes, with
APr (rare) as the open-vocabulary figure.
"""
from typing import Any, Dict

#: LVIS ``frequency`` of the novel classes.
RARE_FREQUENCY = 'r'


def drop_rare_lvis(lvis: Dict[str, Any]) -> Dict[str, Any]:
    """The OV-LVIS training set from an LVIS v1 train dict.

    Keeps every category (so class indices stay those of LVIS v1) and every
    image (LVIS lists negative categories per image), and drops the
    annotations of rare categories.

    Args:
        lvis (dict): LVIS json content.

    Returns:
        dict: A new LVIS dict (other top-level entries are kept).

    Raises:
        ValueError: If a category has no ``frequency`` (not LVIS v1).
    """
    without = [c.get('id') for c in lvis['categories'] if 'frequency' not in c]
    if without:
        raise ValueError('not an LVIS v1 file: categories without a '
                         f'"frequency" field, e.g. id {without[0]}')
    rare_ids = {c['id'] for c in lvis['categories']
                if c['frequency'] == RARE_FREQUENCY}
    annotations = [a for a in lvis['annotations']
                   if a['category_id'] not in rare_ids]
    return dict(lvis, annotations=annotations)
