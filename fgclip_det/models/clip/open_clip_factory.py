"""Build an open_clip CLIP from an architecture name or config, with weights.

Weights come through open_clip's own pretrained machinery: a tag
(``'openai'``, ``'laion2b_s34b_b88k'``, ...) is resolved in open_clip's
pretrained registry and downloaded into its cache; a local file is read with
``open_clip.load_checkpoint`` (safetensors, or ``torch.load`` with
``weights_only=True``), which also converts known third-party layouts and
resizes position tables.
"""
import os.path as osp
import warnings
from collections.abc import Mapping
from typing import Any, Optional, Tuple

import open_clip
from torch import nn

_FIND_NAMES = ('open_clip.list_models() lists the architectures (e.g. '
               "'ViT-B-16', 'ViT-L-14-336', 'EVA02-B-16'); "
               'or pass model_cfg=dict(embed_dim=..., vision_cfg=..., '
               'text_cfg=...)')


def plain_config(value: Any) -> Any:
    """A deep copy with every mapping (e.g. an MMEngine ``ConfigDict``) as a
    ``dict``, so the config pickles into checkpoints that load with
    ``weights_only=True``."""
    if isinstance(value, Mapping):
        return {key: plain_config(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(plain_config(item) for item in value)
    return value


def resolve_model_cfg(model_name: Optional[str] = None,
                      model_cfg: Optional[dict] = None,
                      pretrained: Optional[str] = None,
                      quick_gelu: Optional[bool] = None,
                      image_size: Optional[int] = None) -> dict:
    """The open_clip model config to build, with every override applied.

    Args:
        model_name (str, optional): open_clip architecture name.
        model_cfg (dict, optional): open_clip model config (``embed_dim``,
            ``vision_cfg``, ``text_cfg``, ``quick_gelu``, ...). Exactly one of
            ``model_name`` and ``model_cfg`` must be given.
        pretrained (str, optional): Weights tag or file; a tag decides the
            activation when ``quick_gelu`` is None (QuickGELU for OpenAI).
        quick_gelu (bool, optional): Force (or forbid) QuickGELU. Defaults to
            None: the pretrained tag's, else the config's.
        image_size (int, optional): Override the vision input size.

    Returns:
        dict: A self-contained config accepted by :func:`build_open_clip`.
    """
    if (model_name is None) == (model_cfg is None):
        raise ValueError('give exactly one of model_name and model_cfg, got '
                         f'model_name={model_name!r}, model_cfg={model_cfg!r}')
    if model_name is not None:
        cfg = open_clip.get_model_config(model_name)
        if cfg is None:
            raise ValueError(f'unknown open_clip architecture {model_name!r}; '
                             + _FIND_NAMES)
        if quick_gelu is None and pretrained and not osp.isfile(pretrained):
            tag_cfg = open_clip.get_pretrained_cfg(model_name, pretrained)
            quick_gelu = tag_cfg.get('quick_gelu', None) if tag_cfg else None
    else:
        cfg = plain_config(model_cfg)
        missing = {'embed_dim', 'vision_cfg', 'text_cfg'} - set(cfg)
        if missing:
            raise ValueError(f'model_cfg lacks {sorted(missing)}; ' + _FIND_NAMES)
    if cfg['text_cfg'].get('hf_model_name'):
        raise ValueError('HuggingFace text towers are not supported: the '
                         'FG-CLIP text paths need the CLIP BPE tokenizer')
    if quick_gelu is not None:
        cfg['quick_gelu'] = quick_gelu
    elif pretrained and osp.isfile(pretrained) and not cfg.get('quick_gelu'):
        warnings.warn(
            f'pretrained={pretrained!r} is a local file, so its activation is '
            f'not known: building with GELU. OpenAI CLIP weights need '
            f'QuickGELU: give quick_gelu=True (or an open_clip '
            f'"-quickgelu" name such as {_quickgelu_name(model_name)!r}); '
            'quick_gelu=False silences this for GELU-trained weights',
            stacklevel=2)
    if image_size is not None:
        cfg['vision_cfg']['image_size'] = image_size
    return cfg


def _quickgelu_name(model_name: Optional[str]) -> str:
    name = f'{model_name}-quickgelu' if model_name else 'ViT-B-16-quickgelu'
    return name if open_clip.get_model_config(name) else 'ViT-B-16-quickgelu'


def resolve_pretrained(model_name: Optional[str], pretrained: str,
                       cache_dir: Optional[str] = None) -> str:
    """Local file of a pretrained tag or path (downloads a tag if needed)."""
    if osp.isfile(pretrained):
        return pretrained
    tag_cfg = open_clip.get_pretrained_cfg(model_name, pretrained) if model_name else {}
    if not tag_cfg:
        tags = open_clip.list_pretrained_tags_by_model(model_name) if model_name else []
        raise ValueError(
            f'pretrained={pretrained!r} is neither a file nor a tag of '
            f'{model_name or "a custom model_cfg"}; known tags: {tags}')
    return open_clip.download_pretrained(tag_cfg, cache_dir=cache_dir)


def build_open_clip(model_cfg: dict, model_name: Optional[str] = None,
                    pretrained: Optional[str] = None,
                    cache_dir: Optional[str] = None) -> nn.Module:
    """Instantiate an open_clip model and load its weights.

    Args:
        model_cfg (dict): From :func:`resolve_model_cfg`.
        model_name (str, optional): Architecture name, needed to resolve a
            pretrained tag.
        pretrained (str, optional): A tag of ``model_name`` in open_clip's
            registry, or a path to an open_clip state dict. Defaults to None
            (random initialisation).
        cache_dir (str, optional): Download cache. Defaults to open_clip's.

    Returns:
        nn.Module: An open_clip ``CLIP`` or ``CustomTextCLIP`` in fp32.
    """
    path = resolve_pretrained(model_name, pretrained, cache_dir) if pretrained else None
    cfg = plain_config(model_cfg)
    custom_text = cfg.pop('custom_text', False)
    model = (open_clip.CustomTextCLIP if custom_text else open_clip.CLIP)(**cfg)
    if path:
        open_clip.load_checkpoint(model, path, strict=True, weights_only=True)
    return model


def split_towers(clip: nn.Module) -> Tuple[nn.Module, nn.Module]:
    """The vision tower and the module holding the text parts.

    open_clip's ``CLIP`` keeps the text parts on itself,
    ``CustomTextCLIP`` in ``.text``.
    """
    return clip.visual, getattr(clip, 'text', clip)
