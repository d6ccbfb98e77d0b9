"""Region expressions at several levels of detail, and their hard negatives.

A web caption names an object by its category alone ("a star"), with an
attribute or two ("a red star") or in full ("a small striped red star"). A
training region of the synthetic set is captioned the same way: its
expression names the shape and a subset of colour, size and pattern (the
*named* attributes), in one of the :data:`FORMS` (``'star'``, ``'a star'``,
``'a photo of a star'``). The words keep the order of the full expression:
size, pattern, colour, shape.

Hard negatives change exactly one named attribute, the shape (the category)
included, so the hard-negative loss teaches category words as well as
colour, size and pattern. A negative never describes another object of the
image in its named attributes. Expressions with fewer than ten such
negatives (a bare name has only the seven other shapes) get none; they still
take part in the regional contrastive loss.
"""
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from .vocabulary import ATTRIBUTE_VALUES, ObjectSpec

#: Word order of an expression (the shape last, as the noun).
WORD_ORDER = ('size', 'pattern', 'color', 'shape')
#: Ways of saying a noun phrase, ``{}`` the phrase.
FORMS = ('{}', 'a {}', 'a photo of a {}')
FULL_DETAIL = ('size', 'pattern', 'color')
#: Named attributes besides the shape, with their probabilities for a
#: training region: the bare category a quarter of the time, one attribute
#: a quarter, two a tenth, all three the rest.
DETAIL_LEVELS: tuple[tuple[tuple[str, ...], float], ...] = (
    ((), 0.25),
    (('color', ), 0.10),
    (('size', ), 0.075),
    (('pattern', ), 0.075),
    (('size', 'color'), 0.05),
    (('pattern', 'color'), 0.05),
    (FULL_DETAIL, 0.40),
)


@dataclass(frozen=True)
class RegionExpression:
    """An object named by some of its attributes.

    Args:
        spec (ObjectSpec): The object.
        named (tuple[str, ...]): Attributes named besides the shape, any of
            ``'size'``, ``'pattern'``, ``'color'``.
        form (str): One of :data:`FORMS`.
    """

    spec: ObjectSpec
    named: tuple[str, ...] = FULL_DETAIL
    form: str = 'a {}'

    def __post_init__(self) -> None:
        unknown = set(self.named) - set(FULL_DETAIL)
        if unknown:
            raise ValueError(f'named attributes must be among {FULL_DETAIL}, '
                             f'got {sorted(unknown)}')
        if self.form not in FORMS:
            raise ValueError(f'form must be one of {FORMS}, got {self.form!r}')

    @property
    def attributes(self) -> tuple[str, ...]:
        """Every attribute the expression names, in word order."""
        return tuple(name for name in WORD_ORDER
                     if name == 'shape' or name in self.named)

    @property
    def text(self) -> str:
        """E.g. ``'a red star'``, ``'an orange star'``."""
        phrase = ' '.join(getattr(self.spec, name) for name in self.attributes)
        form = self.form
        if phrase[0] in 'aeiou' and form.endswith('a {}'):
            form = form[:-3] + 'n {}'
        return form.format(phrase)

    def matches(self, spec: ObjectSpec) -> bool:
        """Whether the expression also describes ``spec``."""
        return all(getattr(spec, name) == getattr(self.spec, name)
                   for name in self.attributes)

    def with_spec(self, spec: ObjectSpec) -> 'RegionExpression':
        """The same wording of another object."""
        return RegionExpression(spec, self.named, self.form)


def sample_expression(spec: ObjectSpec, rng: np.random.Generator,
                      scene_specs: Sequence[ObjectSpec]) -> RegionExpression:
    """A training region's expression.

    The level of detail is drawn from :data:`DETAIL_LEVELS`; the bare
    category takes any of :data:`FORMS`, the others ``'a {}'``. A level that
    would also describe another object of the image (``'a star'`` among two
    stars) is replaced by the full expression, so that every expression
    refers to one object.

    Args:
        spec (ObjectSpec): The object.
        rng (np.random.Generator): Random source.
        scene_specs (Sequence[ObjectSpec]): Every object of the image,
            ``spec`` included.
    """
    levels, weights = zip(*DETAIL_LEVELS)
    named = levels[int(rng.choice(len(levels), p=weights))]
    form = FORMS[int(rng.integers(len(FORMS)))] if not named else 'a {}'
    expression = RegionExpression(spec, named, form)
    if sum(map(expression.matches, scene_specs)) > 1:
        return RegionExpression(spec)
    return expression


def one_change_negatives(expression: RegionExpression,
                         rng: np.random.Generator,
                         *,
                         others: Collection[ObjectSpec] = (),
                         num: int = 10) -> list[RegionExpression]:
    """Negatives that each change one named attribute, the shape included.

    Args:
        expression (RegionExpression): The positive.
        rng (np.random.Generator): Random source.
        others (Collection[ObjectSpec]): The other objects of the image; a
            negative that describes one of them is never returned.
        num (int): Number of negatives. Defaults to 10.

    Returns:
        list[RegionExpression]: ``num`` distinct negatives in random order,
        or ``[]`` when fewer than ``num`` exist. Every other shape comes
        first (up to seven), the rest are random changes of the named
        colour, size or pattern: telling the category apart is what a tiny
        CLIP learns last, so most negatives ask for it.
    """
    candidates = []
    for name in expression.attributes:
        for value in ATTRIBUTE_VALUES[name]:
            if value != getattr(expression.spec, name):
                negative = expression.with_spec(
                    expression.spec.with_changes(**{name: value}))
                if not any(map(negative.matches, others)):
                    candidates.append(negative)
    if len(candidates) < num:
        return []
    shapes = [c for c in candidates if c.spec.shape != expression.spec.shape]
    others = [c for c in candidates if c.spec.shape == expression.spec.shape]
    ranked = shapes + [others[i] for i in rng.permutation(len(others))]
    chosen = ranked[:num]
    return [chosen[i] for i in rng.permutation(num)]
