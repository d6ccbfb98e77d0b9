"""Rebuild a toolkit checkpoint of either CLIP family from its meta."""
from typing import Mapping, Union

import torch

from fgclip_det.utils.checkpoint_loader import resolve_checkpoint

from .fgclip import FGCLIP
from .fgclip2 import FGCLIP2

#: A CLIP the evaluation and text-embedding code accept.
EvalCLIP = Union[FGCLIP, FGCLIP2]
#: ``meta['model_type']`` -> class (``FGCLIP2.save`` writes one;
#: ``FGCLIP.save`` and the FG-CLIP converters write none).
CHECKPOINT_CLASSES = dict(FGCLIP=FGCLIP, FGCLIP2=FGCLIP2)
DEFAULT_MODEL_TYPE = 'FGCLIP'


def checkpoint_model_type(path: str) -> str:
    """``meta['model_type']`` of a toolkit checkpoint, ``'FGCLIP'`` without
    one; the file is memory-mapped, so the weights are not read."""
    local = resolve_checkpoint(path)
    if local.endswith('.safetensors'):  # no meta
        return DEFAULT_MODEL_TYPE
    content = torch.load(local, map_location='cpu', weights_only=True,
                         mmap=True)
    meta = content.get('meta') if isinstance(content, Mapping) else None
    return (meta or {}).get('model_type', DEFAULT_MODEL_TYPE)


def load_clip_checkpoint(path: str, **kwargs) -> EvalCLIP:
    """The ``FGCLIP`` or ``FGCLIP2`` a toolkit checkpoint describes, loaded.

    Args:
        path (str): A ``.pth`` of ``FGCLIP.save`` / ``FGCLIP2.save`` or a
            converter.
        **kwargs: ``from_checkpoint`` arguments of the class.

    Raises:
        ValueError: For a ``model_type`` of neither family.
    """
    model_type = checkpoint_model_type(path)
    if model_type not in CHECKPOINT_CLASSES:
        raise ValueError(f'{path} holds a {model_type!r} model; CLIP '
                         f'checkpoints are one of {tuple(CHECKPOINT_CLASSES)}')
    return CHECKPOINT_CLASSES[model_type].from_checkpoint(path, **kwargs)
