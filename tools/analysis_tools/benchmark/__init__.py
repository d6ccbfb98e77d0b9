"""Speed and memory benchmarks of FG-CLIP and F-ViT (``tools/benchmark.py``)."""
from .cli import SUBCOMMANDS, build_parser, main
from .report import append_record, environment, make_record
from .timing import PERCENTILES, Timing, measure, peak_memory

__all__ = [
    'PERCENTILES', 'SUBCOMMANDS', 'Timing', 'append_record', 'build_parser',
    'environment', 'main', 'make_record', 'measure', 'peak_memory'
]
