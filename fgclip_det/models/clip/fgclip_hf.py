"""The released FG-CLIP checkpoints (HuggingFace layout) <-> :class:`FGCLIP`.

``qihoo360/fg-clip-base`` and ``fg-clip-large`` are directories with a
``config.json`` (transformers ``CLIPConfig`` fields) and ``model.safetensors``
or ``pytorch_model.bin`` in transformers-CLIP key names plus FG-CLIP's own
keys. Nothing from them is executed: the architecture is read from
``config.json`` and every key goes through the explicit map below.

Key map (source -> ``FGCLIP`` key; ``N`` a layer index)::

    vision_model.embeddings.patch_embedding.weight  clip.visual.conv1.weight
    vision_model.embeddings.class_embedding         clip.visual.class_embedding
    vision_model.embeddings.position_embedding.weight
                                                    clip.visual.positional_embedding
    vision_model.pre_layrnorm.*                     clip.visual.ln_pre.*
    vision_model.encoder.layers.N.*                 clip.visual.transformer.
                                                      resblocks.N.*
    vision_model.post_layernorm.*                   clip.visual.ln_post.*
    visual_projection.weight (transposed)           clip.visual.proj
    text_model.embeddings.token_embedding.weight    clip.token_embedding.weight
    text_model.embeddings.position_embedding.weight clip.positional_embedding
    text_model.embeddings.position_embedding_ori.weight[:20]
      + position_embedding_res.weight[20:]          long_positional_embedding
    text_model.encoder.layers.N.*                   clip.transformer.resblocks.N.*
    text_model.final_layer_norm.*                   clip.ln_final.*
    text_projection.weight (transposed)             clip.text_projection
    text_filip_projection.weight (transposed)       long_text_projection
    logit_scale                                     clip.logit_scale
    logit_scale_finegraind                          logit_scale_region
    logit_scale_hardneg                             logit_scale_hardneg

    inside a layer:
    layer_norm1.* / layer_norm2.*                   ln_1.* / ln_2.*
    self_attn.{q,k,v}_proj.{weight,bias} (stacked)  attn.in_proj_{weight,bias}
    self_attn.out_proj.*                            attn.out_proj.*
    mlp.fc1.* / mlp.fc2.*                           mlp.c_fc.* / mlp.c_proj.*

The reference long-text forward adds ``position_embedding_ori`` at positions
< 20 and ``position_embedding_res`` at the others, so the merged table gives
the same forward; exporting writes the merged table into both.
"""
import json
import os
import os.path as osp
from functools import partial
from typing import Dict, List, Mapping, Tuple

import torch
from safetensors.torch import save_file
from torch import Tensor

from .checkpoint import read_state_dict
from .constants import LOGIT_SCALE_INIT, LONG_KEEP_POSITIONS
from .fgclip import FGCLIP
from .key_map import KeyReport, KeyRule, apply_key_map

#: transformers' CLIPConfig defaults, used where config.json omits a field.
HF_TEXT_DEFAULTS = dict(vocab_size=49408, hidden_size=512, intermediate_size=2048,
                        num_hidden_layers=12, num_attention_heads=8,
                        max_position_embeddings=77, hidden_act='quick_gelu',
                        layer_norm_eps=1e-5)
HF_VISION_DEFAULTS = dict(hidden_size=768, intermediate_size=3072,
                          num_hidden_layers=12, num_attention_heads=12,
                          num_channels=3, image_size=224, patch_size=32,
                          hidden_act='quick_gelu', layer_norm_eps=1e-5)
HF_PROJECTION_DIM_DEFAULT = 512
#: Buffers of transformers' CLIP that the open_clip model recomputes.
HF_IGNORED_KEYS = ('text_model.embeddings.position_ids',
                   'vision_model.embeddings.position_ids')
HF_WEIGHT_FILES = ('model.safetensors', 'pytorch_model.bin')
_ACTIVATIONS = {'quick_gelu': True, 'gelu': False}


def _tower_cfg(config: dict, key: str, defaults: dict) -> dict:
    cfg = dict(defaults, **config.get(key, {}))
    if cfg['hidden_act'] not in _ACTIVATIONS:
        raise ValueError(f'{key}.hidden_act={cfg["hidden_act"]!r} is not one of '
                         f'{sorted(_ACTIVATIONS)}')
    return cfg


def open_clip_cfg_from_hf(config: Mapping) -> dict:
    """The open_clip model config of a FG-CLIP ``config.json``.

    Args:
        config (Mapping): Parsed ``config.json`` (``text_config``,
            ``vision_config``, ``projection_dim``).

    Returns:
        dict: ``embed_dim``, ``quick_gelu``, ``vision_cfg``, ``text_cfg``.
    """
    text = _tower_cfg(config, 'text_config', HF_TEXT_DEFAULTS)
    vision = _tower_cfg(config, 'vision_config', HF_VISION_DEFAULTS)
    if text['hidden_act'] != vision['hidden_act']:
        raise ValueError(f'text hidden_act {text["hidden_act"]!r} differs from '
                         f'vision hidden_act {vision["hidden_act"]!r}')
    if vision['num_channels'] != 3:
        raise ValueError(f'num_channels={vision["num_channels"]} is not 3')
    vision_cfg = dict(
        image_size=vision['image_size'], patch_size=vision['patch_size'],
        width=vision['hidden_size'], layers=vision['num_hidden_layers'],
        head_width=vision['hidden_size'] // vision['num_attention_heads'],
        mlp_ratio=vision['intermediate_size'] / vision['hidden_size'])
    text_cfg = dict(
        context_length=text['max_position_embeddings'],
        vocab_size=text['vocab_size'], width=text['hidden_size'],
        heads=text['num_attention_heads'], layers=text['num_hidden_layers'],
        mlp_ratio=text['intermediate_size'] / text['hidden_size'])
    for cfg, tower in ((vision_cfg, vision), (text_cfg, text)):
        if tower['layer_norm_eps'] != 1e-5:
            cfg['norm_kwargs'] = dict(eps=tower['layer_norm_eps'])
    return dict(embed_dim=config.get('projection_dim', HF_PROJECTION_DIM_DEFAULT),
                quick_gelu=_ACTIVATIONS[text['hidden_act']],
                vision_cfg=vision_cfg, text_cfg=text_cfg)


def hf_config_from_open_clip(model_cfg: Mapping) -> dict:
    """A FG-CLIP ``config.json`` for an open_clip model config (export)."""
    vision, text = model_cfg['vision_cfg'], model_cfg['text_cfg']
    act = 'quick_gelu' if model_cfg.get('quick_gelu') else 'gelu'
    width, heads = vision['width'], vision['width'] // vision.get('head_width', 64)
    return dict(
        architectures=['FGCLIPModel'], model_type='clip',
        projection_dim=model_cfg['embed_dim'],
        logit_scale_init_value=LOGIT_SCALE_INIT,
        text_config=dict(
            model_type='clip_text_model', vocab_size=text['vocab_size'],
            hidden_size=text['width'], num_attention_heads=text['heads'],
            intermediate_size=int(text['width'] * text.get('mlp_ratio', 4.0)),
            num_hidden_layers=text['layers'],
            max_position_embeddings=text['context_length'], hidden_act=act,
            layer_norm_eps=text.get('norm_kwargs', {}).get('eps', 1e-5)),
        vision_config=dict(
            model_type='clip_vision_model', hidden_size=width,
            num_attention_heads=heads,
            intermediate_size=int(width * vision.get('mlp_ratio', 4.0)),
            num_hidden_layers=vision['layers'], image_size=vision['image_size'],
            patch_size=vision['patch_size'], num_channels=3, hidden_act=act,
            layer_norm_eps=vision.get('norm_kwargs', {}).get('eps', 1e-5)))


def _transpose(x: Tensor) -> Tensor:
    return x.t().contiguous()


def _stack_qkv(q: Tensor, k: Tensor, v: Tensor) -> Tensor:
    return torch.cat([q, k, v], dim=0)


def _split_qkv(x: Tensor, index: int) -> Tensor:
    return x.chunk(3, dim=0)[index].clone()


def _merge_long_positions(ori: Tensor, res: Tensor) -> Tensor:
    return torch.cat([ori[:LONG_KEEP_POSITIONS], res[LONG_KEEP_POSITIONS:]], dim=0)


def _layer_pairs(src: str, dst: str) -> List[Tuple[str, str]]:
    """``(source, target)`` prefixes of one transformer layer, one-to-one parts."""
    pairs = [('layer_norm1', 'ln_1'), ('layer_norm2', 'ln_2'),
             ('self_attn.out_proj', 'attn.out_proj'), ('mlp.fc1', 'mlp.c_fc'),
             ('mlp.fc2', 'mlp.c_proj')]
    return [(f'{src}.{a}.{p}', f'{dst}.{b}.{p}') for a, b in pairs
            for p in ('weight', 'bias')]


def _tower_pairs(src: str, dst: str, num_layers: int) -> List[Tuple[str, str]]:
    return [pair for n in range(num_layers)
            for pair in _layer_pairs(f'{src}.encoder.layers.{n}',
                                     f'{dst}.transformer.resblocks.{n}')]


def _qkv_names(src: str, dst: str,
               num_layers: int) -> List[Tuple[str, Tuple[str, ...]]]:
    """``(target, (q, k, v) sources)`` of the stacked attention input projections."""
    names = []
    for n in range(num_layers):
        attn = f'{src}.encoder.layers.{n}.self_attn'
        for p in ('weight', 'bias'):
            names.append((f'{dst}.transformer.resblocks.{n}.attn.in_proj_{p}',
                          tuple(f'{attn}.{x}_proj.{p}' for x in 'qkv')))
    return names


def _one_to_one(model_cfg: Mapping) -> List[Tuple[str, str]]:
    """``(HF key, FGCLIP key)`` pairs copied unchanged."""
    pairs = [
        ('vision_model.embeddings.patch_embedding.weight', 'clip.visual.conv1.weight'),
        ('vision_model.embeddings.class_embedding', 'clip.visual.class_embedding'),
        ('vision_model.embeddings.position_embedding.weight',
         'clip.visual.positional_embedding'),
        ('text_model.embeddings.token_embedding.weight', 'clip.token_embedding.weight'),
        ('text_model.embeddings.position_embedding.weight',
         'clip.positional_embedding'),
        ('logit_scale', 'clip.logit_scale'),
        ('logit_scale_finegraind', 'logit_scale_region'),
        ('logit_scale_hardneg', 'logit_scale_hardneg'),
    ]
    for src, dst in (('vision_model.pre_layrnorm', 'clip.visual.ln_pre'),
                     ('vision_model.post_layernorm', 'clip.visual.ln_post'),
                     ('text_model.final_layer_norm', 'clip.ln_final')):
        pairs += [(f'{src}.{p}', f'{dst}.{p}') for p in ('weight', 'bias')]
    pairs += _tower_pairs('vision_model', 'clip.visual',
                          model_cfg['vision_cfg']['layers'])
    pairs += _tower_pairs('text_model', 'clip', model_cfg['text_cfg']['layers'])
    return pairs


_PROJECTIONS = (('visual_projection.weight', 'clip.visual.proj'),
                ('text_projection.weight', 'clip.text_projection'),
                ('text_filip_projection.weight', 'long_text_projection'))
_LONG_POSITIONS = ('text_model.embeddings.position_embedding_ori.weight',
                   'text_model.embeddings.position_embedding_res.weight')


def _all_qkv_names(model_cfg: Mapping) -> List[Tuple[str, Tuple[str, ...]]]:
    return (_qkv_names('vision_model', 'clip.visual', model_cfg['vision_cfg']['layers'])
            + _qkv_names('text_model', 'clip', model_cfg['text_cfg']['layers']))


def hf_to_fgclip_rules(model_cfg: Mapping) -> List[KeyRule]:
    """Rules writing every :class:`FGCLIP` key from the HF layout."""
    rules = [KeyRule(dst, (src,)) for src, dst in _one_to_one(model_cfg)]
    rules += [KeyRule(dst, (src,), _transpose) for src, dst in _PROJECTIONS]
    rules += [KeyRule(dst, qkv, _stack_qkv) for dst, qkv in _all_qkv_names(model_cfg)]
    rules.append(KeyRule('long_positional_embedding', _LONG_POSITIONS,
                         _merge_long_positions))
    return rules


def fgclip_to_hf_rules(model_cfg: Mapping) -> List[KeyRule]:
    """Rules writing every HF-layout key from an :class:`FGCLIP` state dict."""
    rules = [KeyRule(src, (dst,)) for src, dst in _one_to_one(model_cfg)]
    rules += [KeyRule(src, (dst,), _transpose) for src, dst in _PROJECTIONS]
    rules += [KeyRule(name, (dst,), partial(_split_qkv, index=index))
              for dst, qkv in _all_qkv_names(model_cfg)
              for index, name in enumerate(qkv)]
    rules += [KeyRule(name, ('long_positional_embedding',), torch.clone)
              for name in _LONG_POSITIONS]
    return rules


def read_hf_checkpoint(hf_dir: str) -> Tuple[dict, Dict[str, Tensor]]:
    """``config.json`` and the weights of a FG-CLIP HF directory.

    Weights: ``model.safetensors``, else ``pytorch_model.bin`` (read with
    ``weights_only=True``).
    """
    config_path = osp.join(hf_dir, 'config.json')
    if not osp.isfile(config_path):
        raise FileNotFoundError(f'no config.json in {hf_dir}')
    with open(config_path, encoding='utf-8') as f:
        config = json.load(f)
    for name in HF_WEIGHT_FILES:
        if osp.isfile(osp.join(hf_dir, name)):
            return config, read_state_dict(osp.join(hf_dir, name))[0]
    raise FileNotFoundError(f'none of {HF_WEIGHT_FILES} in {hf_dir}')


def load_fgclip_hf(hf_dir: str, strict: bool = True, progress: bool = False,
                   **kwargs) -> Tuple[FGCLIP, KeyReport]:
    """Build :class:`FGCLIP` from a released FG-CLIP HF directory.

    Args:
        hf_dir (str): Directory with ``config.json`` and the weights.
        strict (bool): Raise ``KeyError`` with the report unless every key
            is consumed, filled, well-shaped and of the right dtype kind.
            Defaults to True.
        progress (bool): Show a progress bar. Defaults to False.
        **kwargs: Extra :class:`FGCLIP` arguments (e.g. ``grad_checkpointing``).

    Returns:
        tuple[FGCLIP, KeyReport]: The model and the key-by-key report.
    """
    config, source = read_hf_checkpoint(hf_dir)
    model_cfg = open_clip_cfg_from_hf(config)
    model = FGCLIP(model_cfg=model_cfg, **kwargs)
    target = model.state_dict()
    converted, report = apply_key_map(
        source, hf_to_fgclip_rules(model_cfg),
        {key: value.shape for key, value in target.items()},
        ignore=HF_IGNORED_KEYS, strict=strict,
        target_dtypes={key: value.dtype for key, value in target.items()},
        progress=progress)
    model.load_state_dict(converted, strict=False)
    return model, report


def save_fgclip_hf(model: FGCLIP, out_dir: str, progress: bool = False) -> KeyReport:
    """Write ``config.json`` + ``model.safetensors`` in the FG-CLIP HF layout.

    Args:
        model (FGCLIP): A model with an open_clip ``CLIP`` ViT (not a timm
            or custom-text tower).
        out_dir (str): Output directory, created if needed.
        progress (bool): Show a progress bar. Defaults to False.

    Returns:
        KeyReport: The export report (raises ``KeyError`` if incomplete).
    """
    state_dict = model.state_dict()
    converted, report = apply_key_map(state_dict, fgclip_to_hf_rules(model.model_cfg),
                                      progress=progress)
    os.makedirs(out_dir, exist_ok=True)
    save_file({k: v.detach().cpu().contiguous() for k, v in converted.items()},
              osp.join(out_dir, HF_WEIGHT_FILES[0]))
    with open(osp.join(out_dir, 'config.json'), 'w', encoding='utf-8') as f:
        json.dump(hf_config_from_open_clip(model.model_cfg), f, indent=2)
    return report
