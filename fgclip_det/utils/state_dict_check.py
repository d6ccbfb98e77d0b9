"""Compare a checkpoint's state dict with a model's before loading it.

``nn.Module.load_state_dict`` casts integer and bool tensors to float
without a word, and MMEngine's non-strict load only warns about missing,
unexpected or mis-shaped keys. These helpers find every such problem up
front and describe it in a message a user can act on: the first keys of
each kind, how many there are, and the key prefix that would make the
names match.
"""
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, List, Mapping, Optional

import torch
from torch import Tensor

#: How many keys of each kind an error message lists.
SHOWN_KEYS = 8


class CheckpointMismatchError(KeyError):
    """A state dict does not fit the model it is loaded into.

    A ``KeyError`` for callers that catch one, printed as the plain
    multi-line message (``KeyError`` itself prints its ``repr``).
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ''


def dtype_kind(dtype: torch.dtype) -> str:
    """``'bool'``, ``'complex'``, ``'float'`` or ``'int'``."""
    if dtype == torch.bool:
        return 'bool'
    if dtype.is_complex:
        return 'complex'
    if dtype.is_floating_point:
        return 'float'
    return 'int'


def dtypes_compatible(source: torch.dtype, target: torch.dtype) -> bool:
    """Whether copying a ``source`` tensor into a ``target`` one keeps its
    meaning: any float width into any float width (fp16 weights into an fp32
    model), but never across kinds (int or bool into float, or back)."""
    return dtype_kind(source) == dtype_kind(target)


def shown(keys: List[str]) -> str:
    """The first :data:`SHOWN_KEYS` of ``keys``, one per line, and a count
    of the rest."""
    lines = [f'  {key}' for key in keys[:SHOWN_KEYS]]
    if len(keys) > SHOWN_KEYS:
        lines.append(f'  ... and {len(keys) - SHOWN_KEYS} more')
    return '\n'.join(lines)


def likely_prefix(source_keys: Iterable[str],
                  target_keys: Iterable[str]) -> Optional[str]:
    """The prefix most source keys carry in front of a target key's name.

    Returns ``'clip_model.'`` when the checkpoint has ``clip_model.visual.x``
    where the model expects ``visual.x``; None when no prefix explains the
    difference for at least half of the target keys.
    """
    targets = list(target_keys)
    target_set = set(targets)
    if not targets:
        return None
    prefixes: Counter = Counter()
    for key in source_keys:
        parts = key.split('.')
        for i in range(1, len(parts)):
            if '.'.join(parts[i:]) in target_set:
                prefixes['.'.join(parts[:i]) + '.'] += 1
                break
    if not prefixes:
        return None
    prefix, count = prefixes.most_common(1)[0]
    return prefix if count * 2 >= len(targets) else None


@dataclass
class StateDictDiff:
    """How a state dict differs from a model's.

    Attributes:
        missing (list[str]): Model keys the state dict lacks.
        unexpected (list[str]): State-dict keys the model lacks.
        mismatched (list[str]): Keys in both whose shape or dtype kind
            differs, each with both shapes and dtypes.
        prefix (str, optional): A prefix of the state dict's keys that
            would make them match (see :func:`likely_prefix`).
        part_prefix (str, optional): A prefix of the model's keys that the
            state dict lacks: it holds the weights of that part only.
    """

    missing: List[str] = field(default_factory=list)
    unexpected: List[str] = field(default_factory=list)
    mismatched: List[str] = field(default_factory=list)
    prefix: Optional[str] = None
    part_prefix: Optional[str] = None

    def problems(self, allow_missing: bool = False,
                 allow_unexpected: bool = False) -> bool:
        """Whether anything beyond the allowed kinds differs."""
        return bool(self.mismatched or (self.missing and not allow_missing)
                    or (self.unexpected and not allow_unexpected))

    def describe(self) -> str:
        """Counts and the first keys of each kind, with the prefix hint."""
        lines = [f'{len(self.missing)} missing, {len(self.unexpected)} '
                 f'unexpected, {len(self.mismatched)} mis-shaped or '
                 'wrongly typed keys']
        for title, keys in (('missing in the checkpoint', self.missing),
                            ('not in the model', self.unexpected),
                            ('shape or dtype differs', self.mismatched)):
            if keys:
                lines.extend([f'{title}:', shown(keys)])
        if self.prefix:
            lines.append(f'the checkpoint\'s keys carry the prefix '
                         f'"{self.prefix}" in front of the model\'s names')
        if self.part_prefix:
            lines.append(
                f'the checkpoint holds the weights of the model\'s '
                f'"{self.part_prefix}" part only: load it into that part, e.g. '
                "with init_cfg=dict(type='Pretrained', checkpoint=...) of that "
                'module')
        return '\n'.join(lines)


def diff_state_dict(model_state: Mapping[str, Tensor],
                    source: Mapping[str, Tensor]) -> StateDictDiff:
    """Compare ``source`` with ``model_state`` key by key.

    Args:
        model_state (Mapping[str, Tensor]): ``model.state_dict()``.
        source (Mapping[str, Tensor]): The state dict to load.

    Returns:
        StateDictDiff: Missing, unexpected and mismatched keys, and the
        likely prefix when names do not match.
    """
    diff = StateDictDiff()
    for key, target in model_state.items():
        if key not in source:
            diff.missing.append(key)
            continue
        value = source[key]
        if not isinstance(value, Tensor):
            diff.mismatched.append(f'{key}: a {type(value).__name__}, expected '
                                   f'a tensor {tuple(target.shape)}')
        elif (tuple(value.shape) != tuple(target.shape)
              or not dtypes_compatible(value.dtype, target.dtype)):
            diff.mismatched.append(
                f'{key}: {tuple(value.shape)} {value.dtype} in the checkpoint, '
                f'{tuple(target.shape)} {target.dtype} in the model')
    diff.unexpected = [key for key in source if key not in model_state]
    if diff.missing and diff.unexpected:
        diff.prefix = likely_prefix(diff.unexpected, diff.missing)
        if diff.prefix is None:
            diff.part_prefix = likely_prefix(diff.missing, diff.unexpected)
    return diff
