"""Toolkit checkpoints of the FG-CLIP model: safe to read, self-describing.

A toolkit checkpoint is ``{'state_dict': ..., 'meta': {...}}`` with plain
values only (tensors, str, numbers, lists, dicts), so it loads with
``torch.load(weights_only=True)``. ``meta['fgclip_cfg']`` holds the model's
constructor arguments (the resolved open_clip config included), so the model
is rebuilt without knowing where the weights came from.
"""
import os
import os.path as osp
from typing import Dict, Mapping, Optional, Tuple

import torch
from torch import Tensor, nn

from fgclip_det.utils.checkpoint_loader import load_checkpoint_file
from fgclip_det.utils.state_dict_check import CheckpointMismatchError, likely_prefix

from .key_map import KeyReport, KeyRule, apply_key_map

META_CFG_KEY = 'fgclip_cfg'


def read_state_dict(path: str) -> Tuple[Dict[str, Tensor], dict]:
    """Read a state dict and its meta from ``.safetensors`` or a torch file.

    ``path`` may be a URL (downloaded into the cache first, see
    :func:`fgclip_det.utils.checkpoint_loader.load_checkpoint_file`); torch
    files are read with ``weights_only=True``; a dict with a ``state_dict``
    entry is unwrapped (toolkit and MMEngine checkpoints).

    Returns:
        tuple[dict, dict]: The state dict and the meta (empty if none).

    Raises:
        FileNotFoundError: No file at ``path`` (the message says how the
            model zoo's weights are downloaded).
    """
    ckpt = load_checkpoint_file(path)
    if isinstance(ckpt, Mapping) and 'state_dict' in ckpt:
        return dict(ckpt['state_dict']), dict(ckpt.get('meta') or {})
    return dict(ckpt), {}


def save_checkpoint(model: nn.Module, path: str, cfg: dict,
                    meta: Optional[dict] = None) -> None:
    """Write ``{'state_dict', 'meta'}`` with ``meta['fgclip_cfg'] = cfg``."""
    meta = dict(meta or {}, **{META_CFG_KEY: cfg})
    state_dict = {key: value.detach().cpu().contiguous()
                  for key, value in model.state_dict().items()}
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    torch.save({'state_dict': state_dict, 'meta': meta}, path)


def load_state_dict_with_report(model: nn.Module, state_dict: Mapping[str, Tensor],
                                prefix: str = '', strict: bool = True) -> KeyReport:
    """Load a same-layout state dict, reporting every key.

    Args:
        model (nn.Module): Target.
        state_dict (Mapping[str, Tensor]): Source, keys as in
            ``model.state_dict()`` after removing ``prefix``.
        prefix (str): Leading part of the source keys to select and strip,
            e.g. ``'clip_model.'`` inside a training checkpoint. Defaults to ''.
        strict (bool): Raise :class:`CheckpointMismatchError` (a
            ``KeyError``) with the report, and the prefix that would make
            the names match, unless every key matches in name, shape and
            dtype kind. Defaults to True.

    Returns:
        KeyReport: What happened to every key.
    """
    target = model.state_dict()
    rules = [KeyRule(key, (prefix + key,)) for key in target]
    selected = {key: value for key, value in state_dict.items()
                if key.startswith(prefix)}
    converted, report = apply_key_map(
        selected, rules, {key: value.shape for key, value in target.items()},
        strict=False,
        target_dtypes={key: value.dtype for key, value in target.items()})
    if strict and not report.ok:
        message = (f'the checkpoint does not fit {type(model).__name__} '
                   f'(prefix {prefix!r}):\n{report}')
        hint = likely_prefix(state_dict, target)
        if hint is not None and hint != prefix:
            message += (f'\nits keys carry the prefix "{hint}": pass '
                        f'prefix=\'{hint}\' (FGCLIP.load_checkpoint) or '
                        f'clip_checkpoint_prefix=\'{hint}\' (FViTCLIPBackbone)')
        raise CheckpointMismatchError(message)
    model.load_state_dict(converted, strict=False)
    return report
