"""The attribute vocabulary of the synthetic set and its referring expressions.

Every object is a shape with a colour, a size and a fill pattern. Its short
expression names the four attributes in a fixed order,
``'a {size} {pattern} {color} {shape}'`` (e.g. ``'a small striped red
circle'``), so any expression can be parsed back into its attributes.
"""
from dataclasses import dataclass, fields, replace

# The order is the COCO category order (ids 1..8) used by the configs.
SHAPES = ('circle', 'square', 'triangle', 'star', 'hexagon', 'diamond',
          'cross', 'heart')
# Saturated colours only, so that none can be confused with the grey
# background.
COLORS = {
    'red': (220, 30, 30),
    'orange': (245, 135, 20),
    'yellow': (240, 215, 20),
    'green': (40, 170, 60),
    'blue': (30, 80, 220),
    'purple': (140, 50, 190),
    'pink': (245, 110, 180),
    'brown': (140, 80, 30),
}
SIZES = ('small', 'large')
PATTERNS = ('solid', 'striped', 'dotted')
ATTRIBUTES = ('shape', 'color', 'size', 'pattern')
ATTRIBUTE_VALUES = {
    'shape': SHAPES,
    'color': tuple(COLORS),
    'size': SIZES,
    'pattern': PATTERNS,
}
NUMBER_WORDS = ('zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven',
                'eight', 'nine', 'ten')


@dataclass(frozen=True)
class ObjectSpec:
    """The attributes of one object.

    Args:
        shape (str): One of :data:`SHAPES`.
        color (str): One of :data:`COLORS`.
        size (str): One of :data:`SIZES`.
        pattern (str): One of :data:`PATTERNS`.
    """

    shape: str
    color: str
    size: str
    pattern: str

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if value not in ATTRIBUTE_VALUES[field.name]:
                raise ValueError(
                    f'{field.name} must be one of '
                    f'{ATTRIBUTE_VALUES[field.name]}, got {value!r}')

    @property
    def expression(self) -> str:
        """The short expression, e.g. ``'a small striped red circle'``."""
        return f'a {self.size} {self.pattern} {self.color} {self.shape}'

    def with_changes(self, **changes: str) -> 'ObjectSpec':
        """A copy with some attributes replaced."""
        return replace(self, **changes)


def parse_expression(text: str) -> ObjectSpec:
    """Parse a short expression back into its attributes.

    Accepts the lower-case FineHARD form (``'a small striped red circle'``) and
    the sentence form of FG-OVD (``'A small striped red circle.'``).

    Args:
        text (str): A short expression.

    Returns:
        ObjectSpec: The attributes it names.
    """
    words = text.strip().rstrip('.').lower().split()
    if len(words) != 5 or words[0] != 'a':
        raise ValueError(
            f"expected 'a <size> <pattern> <color> <shape>', got {text!r}")
    _, size, pattern, color, shape = words
    return ObjectSpec(shape=shape, color=color, size=size, pattern=pattern)


def changed_attributes(a: ObjectSpec, b: ObjectSpec) -> tuple[str, ...]:
    """The names of the attributes in which two objects differ."""
    return tuple(name for name in ATTRIBUTES
                 if getattr(a, name) != getattr(b, name))
