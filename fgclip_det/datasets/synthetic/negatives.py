"""FG-OVD-style negatives: the positive with a given number of attributes changed.

(The FineHARD-style training negatives follow :mod:`.expressions`.)

Candidates are every object that differs from the positive in exactly
``num_changed`` of its four attributes. Those that keep the shape (the noun)
come first, so the negative differs only in colour, size or pattern, as the
FG-OVD negatives keep their noun; candidates with another shape
fill up the rest only when too few remain (one attribute: 7 colours + 1 size
+ 2 patterns = 10 keep the shape, exactly enough until another object of the
image takes one of them). A candidate equal to another object of the same
image is never used, so a negative never describes something that is there.
"""
import itertools
from collections.abc import Collection

import numpy as np

from .vocabulary import ATTRIBUTE_VALUES, ATTRIBUTES, ObjectSpec

NUM_NEGATIVES = 10


def _candidates(spec: ObjectSpec, num_changed: int) -> list[ObjectSpec]:
    """Every spec that differs from ``spec`` in exactly ``num_changed``
    attributes, in a fixed order."""
    found = []
    for names in itertools.combinations(ATTRIBUTES, num_changed):
        alternatives = [[v for v in ATTRIBUTE_VALUES[name]
                         if v != getattr(spec, name)] for name in names]
        for values in itertools.product(*alternatives):
            found.append(spec.with_changes(**dict(zip(names, values))))
    return found


def attribute_negatives(spec: ObjectSpec,
                        num_changed: int,
                        rng: np.random.Generator,
                        *,
                        exclude: Collection[ObjectSpec] = (),
                        num: int = NUM_NEGATIVES) -> list[ObjectSpec]:
    """Distinct negatives that each change ``num_changed`` attributes.

    Args:
        spec (ObjectSpec): The positive.
        num_changed (int): Attributes changed in every negative, 1 to 4.
        rng (np.random.Generator): Random source.
        exclude (Collection[ObjectSpec]): Specs never returned (the other
            objects of the image). Defaults to none.
        num (int): Number of negatives. Defaults to 10.

    Returns:
        list[ObjectSpec]: ``num`` distinct negatives in random order.
    """
    if not 1 <= num_changed <= len(ATTRIBUTES):
        raise ValueError(f'num_changed must be in 1..{len(ATTRIBUTES)}, '
                         f'got {num_changed}')
    candidates = [c for c in _candidates(spec, num_changed) if c not in exclude]
    same_shape = [c for c in candidates if c.shape == spec.shape]
    new_shape = [c for c in candidates if c.shape != spec.shape]
    ranked = [same_shape[i] for i in rng.permutation(len(same_shape))]
    ranked += [new_shape[i] for i in rng.permutation(len(new_shape))]
    if len(ranked) < num:
        raise ValueError(f'only {len(ranked)} negatives change {num_changed} '
                         f'attributes of {spec.expression!r}, {num} wanted')
    chosen = ranked[:num]
    return [chosen[i] for i in rng.permutation(num)]
