"""Count what a dataset reader leaves out, and why, and log the summary."""
import logging
from collections import Counter
from typing import Dict, List, Tuple

from mmengine.logging import print_log

#: What a skip leaves out: a whole record (image), one region of it, the
#: hard negatives of one region (the region itself is kept), or an image
#: the pipeline could not read.
UNITS = ('record', 'region', 'negatives', 'image')
_UNIT_TEXT = {
    'record': 'record(s)',
    'region': 'region(s)',
    'negatives': 'region(s) lost their hard negatives',
    'image': 'unreadable image(s)',
}


def log_running_count(count: int, message: str) -> None:
    """Log ``message`` (about ``count`` events so far) when ``count`` is a
    power of two, so a frequent problem is reported but does not flood."""
    if count & (count - 1) == 0:
        print_log(message, logger='current', level=logging.WARNING)


class SkipSummary:
    """Records and regions read, and those skipped, counted by reason.

    Attributes:
        records (int): Records read.
        regions (int): Regions read (of records not skipped).
        skipped (Counter): ``(unit, reason) -> count``; ``unit`` is one of
            :data:`UNITS`.
        largest_bad_coordinate (float): The largest coordinate of the boxes
            skipped for lying outside [0, 1] (0 when none), which tells
            pixel boxes from rounding noise.
    """

    def __init__(self) -> None:
        self.records = 0
        self.regions = 0
        self.skipped: Counter = Counter()
        self.largest_bad_coordinate = 0.0

    def skip(self, unit: str, reason: str) -> None:
        """Count one ``unit`` left out for ``reason``."""
        if unit not in UNITS:
            raise ValueError(f'unit must be one of {UNITS}, got {unit!r}')
        self.skipped[unit, reason] += 1

    def count(self, unit: str) -> int:
        """How many ``unit`` s were left out, all reasons together."""
        return sum(n for (u, _), n in self.skipped.items() if u == unit)

    def reasons(self, unit: str) -> List[Tuple[str, int]]:
        """``(reason, count)`` of one unit, the most frequent first."""
        counts: Dict[str, int] = {
            r: n for (u, r), n in self.skipped.items() if u == unit}
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def update(self, other: 'SkipSummary') -> None:
        """Add the counts of ``other`` to these."""
        self.records += other.records
        self.regions += other.regions
        self.skipped.update(other.skipped)
        self.largest_bad_coordinate = max(self.largest_bad_coordinate,
                                          other.largest_bad_coordinate)

    def describe(self) -> str:
        """One line: what was read and what was skipped, by reason."""
        parts = []
        for unit in UNITS:
            if self.count(unit):
                reasons = ', '.join(f'{r}: {n}' for r, n in self.reasons(unit))
                parts.append(
                    f'{self.count(unit)} {_UNIT_TEXT[unit]} ({reasons})')
        skipped = '; '.join(parts) if parts else 'nothing'
        return (f'read {self.records} record(s) with {self.regions} '
                f'region(s); skipped {skipped}')

    def log(self, source: str) -> None:
        """Log :meth:`describe` for ``source`` (a file or a pass over
        shards) through MMEngine's current logger: a warning when something
        was skipped, info otherwise."""
        level = logging.WARNING if self.skipped else logging.INFO
        print_log(f'{source}: {self.describe()}', logger='current',
                  level=level)
