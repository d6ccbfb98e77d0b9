"""Explicit key maps between checkpoint layouts, with a key-by-key report.

A converter is a list of :class:`KeyRule`: each names one target key, the
source keys it is computed from and the function that computes it. Applying
the rules never guesses: a source key no rule reads is reported as unused, a
target key whose sources are absent as missing, and a value whose shape or
dtype kind (int / bool / float) differs from the target model's as a
mismatch.
"""
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Tuple

import torch
from torch import Tensor
from tqdm import tqdm

from fgclip_det.utils.state_dict_check import (
    CheckpointMismatchError,
    dtypes_compatible,
    shown,
)


def identity(x: Tensor) -> Tensor:
    """Copy a tensor unchanged."""
    return x


@dataclass(frozen=True)
class KeyRule:
    """One target key computed from source keys.

    Args:
        target (str): Key written.
        sources (tuple[str, ...]): Keys read, passed to ``fn`` in order.
        fn (Callable): Computes the target tensor. Defaults to identity.
    """

    target: str
    sources: Tuple[str, ...]
    fn: Callable[..., Tensor] = identity


@dataclass
class KeyReport:
    """What a conversion or load did with every key.

    Attributes:
        consumed (list[str]): Source keys read by some rule.
        unused (list[str]): Source keys no rule reads.
        ignored (list[str]): Source keys known to carry nothing (buffers
            the target recomputes).
        filled (list[str]): Target keys written.
        missing (list[str]): Target keys left unwritten, with the reason.
        mismatched (list[str]): Target keys whose value had the wrong shape
            or dtype kind.
    """

    consumed: List[str] = field(default_factory=list)
    unused: List[str] = field(default_factory=list)
    ignored: List[str] = field(default_factory=list)
    filled: List[str] = field(default_factory=list)
    missing: List[str] = field(default_factory=list)
    mismatched: List[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is unused, missing or mismatched."""
        return not (self.unused or self.missing or self.mismatched)

    def __str__(self) -> str:
        lines = [f'{len(self.consumed)} source keys consumed, '
                 f'{len(self.unused)} unused, {len(self.ignored)} ignored; '
                 f'{len(self.filled)} target keys filled, '
                 f'{len(self.missing)} missing, '
                 f'{len(self.mismatched)} shape or dtype mismatches']
        for title, keys in (('unused source keys', self.unused),
                            ('ignored source keys', self.ignored),
                            ('missing target keys', self.missing),
                            ('shape or dtype mismatches', self.mismatched)):
            if keys:
                lines.extend([f'{title}:', shown(keys)])
        return '\n'.join(lines)


def apply_key_map(source: Mapping[str, Tensor], rules: Iterable[KeyRule],
                  target_shapes: Optional[Mapping[str, tuple]] = None,
                  ignore: Iterable[str] = (),
                  strict: bool = True,
                  target_dtypes: Optional[Mapping[str, torch.dtype]] = None,
                  progress: bool = False,
                  ) -> Tuple[Dict[str, Tensor], KeyReport]:
    """Convert a state dict with explicit rules.

    Args:
        source (Mapping[str, Tensor]): Source state dict.
        rules (Iterable[KeyRule]): One rule per target key.
        target_shapes (Mapping[str, tuple], optional): Shape of every key
            of the target model; keys no rule writes are reported missing.
            Defaults to None (no shape or completeness check).
        ignore (Iterable[str]): Source keys known to be redundant.
        strict (bool): Raise :class:`CheckpointMismatchError` (a
            ``KeyError``) with the report unless it is ok. Defaults to True.
        target_dtypes (Mapping[str, torch.dtype], optional): dtype of every
            key of the target model; a value of another kind (int or bool
            for a float, or back) is a mismatch. Defaults to None.
        progress (bool): Show a progress bar over the target keys (a
            large checkpoint takes a while). Defaults to False.

    Returns:
        tuple[dict, KeyReport]: The converted state dict (only well-shaped
        values) and the report.
    """
    report = KeyReport()
    converted: Dict[str, Tensor] = {}
    read = set()
    rules = list(rules)
    for rule in tqdm(rules, desc='converting', unit='key', disable=not progress):
        absent = [key for key in rule.sources if key not in source]
        read.update(key for key in rule.sources if key in source)
        if absent:
            report.missing.append(f'{rule.target} (source {", ".join(absent)} absent)')
            continue
        value = rule.fn(*(source[key] for key in rule.sources))
        expected = None if target_shapes is None else target_shapes.get(rule.target)
        if target_shapes is not None and expected is None:
            report.mismatched.append(f'{rule.target}: not a key of the target')
        elif expected is not None and tuple(value.shape) != tuple(expected):
            report.mismatched.append(f'{rule.target}: {tuple(value.shape)} from '
                                     f'{", ".join(rule.sources)}, expected '
                                     f'{tuple(expected)}')
        elif (target_dtypes is not None and rule.target in target_dtypes
              and not dtypes_compatible(value.dtype, target_dtypes[rule.target])):
            report.mismatched.append(f'{rule.target}: {value.dtype} from '
                                     f'{", ".join(rule.sources)}, expected '
                                     f'{target_dtypes[rule.target]}')
        else:
            converted[rule.target] = value
            report.filled.append(rule.target)
    written = {rule.target for rule in rules}
    if target_shapes is not None:
        report.missing.extend(f'{key} (no rule writes it)'
                              for key in target_shapes if key not in written)
    ignore = set(ignore)
    for key in source:
        if key in read:
            report.consumed.append(key)
        elif key in ignore:
            report.ignored.append(key)
        else:
            report.unused.append(key)
    if strict and not report.ok:
        raise CheckpointMismatchError(f'checkpoint conversion failed:\n{report}')
    return converted, report
