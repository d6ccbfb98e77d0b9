"""Class text embeddings: prompt ensembles, and their files.

An embedding file holds one L2-normalised row per class, in the order of the
dataset's classes:

- ``.pt``: ``{'embeddings': Tensor (num_classes, dim), 'class_names': [...]}``
  (loads with ``torch.load(weights_only=True)``);
- ``.npy``: the ``(num_classes, dim)`` array alone.
"""
import os
import os.path as osp
from functools import partial
from typing import Callable, List, Mapping, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from tqdm import tqdm

from fgclip_det.datasets.class_names import check_class_names, class_name_to_text

from .prompt_templates import VILD_TEMPLATES

EMBEDDINGS_KEY = 'embeddings'
CLASS_NAMES_KEY = 'class_names'
EMBEDDING_SUFFIXES = ('.pt', '.npy')

#: Maps a list of prompts to their text features ``(num_prompts, dim)``.
TextEncoder = Callable[[List[str]], Tensor]


def region_text_encoder(clip: nn.Module, long: bool = False) -> TextEncoder:
    """Prompts -> ``clip``'s text features for classifying regions: its
    region-caption path (``encode_region_text``: FG-CLIP's short path,
    FG-CLIP 2's box walk), or the long path if ``long``."""
    if long:
        return partial(clip.encode_text, long=True)
    return clip.encode_region_text


@torch.no_grad()
def build_class_embeddings(encode_text: TextEncoder,
                           class_names: Sequence[str],
                           templates: Sequence[str] = VILD_TEMPLATES,
                           batch_size: int = 256,
                           progress: bool = False) -> Tensor:
    """Prompt-ensemble embedding of every class.

    Each template is filled with the class name and encoded; every prompt
    embedding is L2-normalised, the class's prompts are averaged and the mean
    is normalised again (ViLD).

    Args:
        encode_text (Callable): Prompts -> features ``(num_prompts, dim)``.
        class_names (Sequence[str]): The vocabulary: non-empty names, no two
            with the same prompt text (see
            :func:`~fgclip_det.datasets.class_names.check_class_names`).
        templates (Sequence[str]): Templates with one ``{}``. Defaults to
            the 63 ViLD templates.
        batch_size (int): Prompts encoded at once. Defaults to 256.
        progress (bool): Show a progress bar over the prompts. Defaults to
            False.

    Returns:
        Tensor: ``(num_classes, dim)``, L2-normalised rows.
    """
    check_class_names(class_names)
    bad = [t for t in templates if t.count('{}') != 1]
    if not templates or bad:
        raise ValueError(f'every template needs exactly one "{{}}", got {bad}')
    prompts = [template.format(class_name_to_text(name))
               for name in class_names for template in templates]
    bar = tqdm(total=len(prompts), unit='prompt', disable=not progress,
               desc=f'text embeddings of {len(class_names)} classes x '
               f'{len(templates)} templates')
    chunks = []
    with bar:
        for start in range(0, len(prompts), batch_size):
            batch = prompts[start:start + batch_size]
            chunks.append(F.normalize(encode_text(batch).float(), dim=-1))
            bar.update(len(batch))
    features = torch.cat(chunks)
    features = features.view(len(class_names), len(templates), -1)
    return F.normalize(features.mean(dim=1), dim=-1)


def _check_suffix(path: str) -> str:
    suffix = osp.splitext(path)[1]
    if suffix not in EMBEDDING_SUFFIXES:
        raise ValueError(f'embedding files end with {EMBEDDING_SUFFIXES}, '
                         f'got {path!r}')
    return suffix


def save_class_embeddings(path: str, embeddings: Tensor,
                          class_names: Optional[Sequence[str]] = None) -> None:
    """Write class embeddings (see the module docstring for the formats).

    Args:
        path (str): ``.pt`` or ``.npy`` file.
        embeddings (Tensor): ``(num_classes, dim)``.
        class_names (Sequence[str], optional): Stored in a ``.pt`` file.
    """
    suffix = _check_suffix(path)
    if class_names is not None and len(class_names) != len(embeddings):
        raise ValueError(f'{len(class_names)} class names for '
                         f'{len(embeddings)} embeddings')
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    embeddings = embeddings.detach().float().cpu()
    if suffix == '.npy':
        np.save(path, embeddings.numpy())
    else:
        torch.save({EMBEDDINGS_KEY: embeddings,
                    CLASS_NAMES_KEY: list(class_names or [])}, path)


def load_class_embeddings(path: str) -> Tensor:
    """Read class embeddings written by :func:`save_class_embeddings`.

    A ``.pt`` file may also hold a bare ``(num_classes, dim)`` tensor.

    Returns:
        Tensor: ``(num_classes, dim)`` float32.
    """
    if _check_suffix(path) == '.npy':
        embeddings = torch.from_numpy(np.load(path))
    else:
        content = torch.load(path, map_location='cpu', weights_only=True)
        embeddings = (content[EMBEDDINGS_KEY]
                      if isinstance(content, Mapping) else content)
    if embeddings.dim() != 2:
        raise ValueError(f'{path} holds embeddings of shape '
                         f'{tuple(embeddings.shape)}, expected (classes, dim)')
    return embeddings.float()
