"""The embedded synthetic data set: coloured shapes that differ in one attribute.

One call writes COCO detection files with an open-vocabulary split,
FineHARD-style captions with hard negatives, an FG-OVD-style benchmark and a
retrieval set, all from the same images (see ``docs/synthetic_data.md``).
"""
from .generator import GENERATOR_VERSION, generate_synthetic_dataset
from .vocabulary import (
                         ATTRIBUTES,
                         COLORS,
                         PATTERNS,
                         SHAPES,
                         SIZES,
                         ObjectSpec,
                         changed_attributes,
                         parse_expression,
)

__all__ = [
    'ATTRIBUTES', 'COLORS', 'GENERATOR_VERSION', 'PATTERNS', 'SHAPES', 'SIZES',
    'ObjectSpec', 'changed_attributes', 'generate_synthetic_dataset',
    'parse_expression'
]
