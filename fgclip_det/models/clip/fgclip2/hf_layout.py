"""The released FG-CLIP 2 checkpoints (HuggingFace layout) <-> :class:`FGCLIP2`.

``qihoo360/fg-clip2-{base,large,so400m}`` are folders with ``config.json``
(an ``Fgclip2Config``), ``model.safetensors`` and the Gemma tokenizer files.
Nothing from them is executed (their ``auto_map`` names remote code): sizes
come from ``config.json`` and every key goes through the explicit map below.

Key map (released key -> ``FGCLIP2`` key; ``N`` a layer index)::

    vision_model.embeddings.patch_embedding.*       visual.trunk.embeds.proj.*
    vision_model.embeddings.position_embedding.weight (g*g, C), row-major
                                                    visual.trunk.embeds.pos_embed
                                                      (1, g, g, C)
    vision_model.encoder.layers.N.layer_norm1/2.*   visual.trunk.blocks.N.norm1/2.*
    ...self_attn.{q,k,v}_proj.* (stacked)           ...attn.qkv.*
    ...self_attn.out_proj.*                         ...attn.proj.*
    ...mlp.fc1/fc2.*                                ...mlp.fc1/fc2.*
    vision_model.post_layernorm.*                   visual.trunk.norm.*
    vision_model.head / dense_feature_head:         visual.trunk.attn_pool /
                                                      visual.dense_head:
      probe                                           latent
      attention.in_proj_{weight,bias} [:C] / [C:]     q.* / kv.*
      attention.out_proj.*                            proj.*
      layernorm.*, mlp.fc1/fc2.*                      norm.*, mlp.fc1/fc2.*
    text_model.embeddings.token_embedding.weight    text.token_embedding.weight
    text_model.embeddings.position_embedding.weight text.positional_embedding
    text_model.embeddings.position_embedding_ori/res.weight
                                                    long_position_ori/res
    text_model.encoder.layers.N.layer_norm1/2.*     text.transformer.resblocks.N.
                                                      ln_1/2.*
    ...self_attn.{q,k,v}_proj.* (stacked)           ...attn.in_proj_*
    ...self_attn.out_proj.*                         ...attn.out_proj.*
    ...mlp.fc1/fc2.*                                ...mlp.c_fc/c_proj.*
    text_model.final_layer_norm.*                   text.ln_final.*
    text_model.head.*                               text.text_projection.*
    boxtext_head.* / longtext_head.*                box_text_projection.* /
                                                      long_text_projection.*
    logit_scale, logit_bias                         logit_scale, logit_bias

``logit_scale_region`` / ``logit_scale_hardneg`` (the training code's
``logit_scale_finegraind`` / ``logit_scale_hardneg``) are not in the
released files: they keep their initial log(100) and the report names them.
"""
import json
import os
import os.path as osp
from functools import partial
from typing import Dict, List, Mapping, Tuple

import torch
from safetensors.torch import save_file
from torch import Tensor, nn

from ..checkpoint import read_state_dict
from ..key_map import KeyReport, KeyRule, apply_key_map
from .arch import arch_from_hf_config, hf_config_from_arch

HF_WEIGHT_FILES = ('model.safetensors', 'pytorch_model.bin')
TOKENIZER_FILES = ('tokenizer.json', 'tokenizer_config.json')
#: Buffers the public model registers that carry nothing.
HF_IGNORED_KEYS = ('text_model.embeddings.position_ids',
                   'vision_model.embeddings.position_ids')
#: Keys of :class:`FGCLIP2` the released files do not have.
NOT_RELEASED = ('logit_scale_region', 'logit_scale_hardneg')
AUTO_MAP = {'AutoConfig': 'configuration_fgclip2.Fgclip2Config',
            'AutoModel': 'modeling_fgclip2.Fgclip2Model',
            'AutoModelForCausalLM': 'modeling_fgclip2.Fgclip2Model'}
_PARAMS = ('weight', 'bias')


def _config_json(hf_dir: str) -> dict:
    path = osp.join(hf_dir, 'config.json')
    if not osp.isfile(path):
        raise FileNotFoundError(f'no config.json in {hf_dir}')
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def is_fgclip2_folder(hf_dir: str) -> bool:
    """Whether a released folder is FG-CLIP 2's (``config.json``
    ``model_type`` ``'fgclip2'``; FG-CLIP's says ``'clip'``)."""
    return _config_json(hf_dir).get('model_type') == 'fgclip2'


def read_hf_config(hf_dir: str) -> dict:
    """The parsed ``config.json`` of a released FG-CLIP 2 folder."""
    config = _config_json(hf_dir)
    path = osp.join(hf_dir, 'config.json')
    if config.get('model_type') not in (None, 'fgclip2'):
        raise ValueError(f'{path}: model_type {config["model_type"]!r} is not '
                         "'fgclip2'")
    return config


def hf_dir_arch(hf_dir: str) -> dict:
    """The :class:`FGCLIP2` ``arch`` of a released folder."""
    return arch_from_hf_config(read_hf_config(hf_dir))


def hf_dir_tokenizer(hf_dir: str):
    """The folder's ``tokenizer.json``, or None when it has none."""
    path = osp.join(hf_dir, TOKENIZER_FILES[0])
    return path if osp.isfile(path) else None


def _pairs(src: str, dst: str, parts) -> List[Tuple[str, str]]:
    return [(f'{src}.{a}.{p}', f'{dst}.{b}.{p}') for a, b in parts for p in _PARAMS]


def _one_to_one(arch: Mapping) -> List[Tuple[str, str]]:
    """``(released key, FGCLIP2 key)`` pairs copied unchanged."""
    emb = 'text_model.embeddings'
    pairs = [(f'{emb}.token_embedding.weight', 'text.token_embedding.weight'),
             (f'{emb}.position_embedding.weight', 'text.positional_embedding'),
             (f'{emb}.position_embedding_ori.weight', 'long_position_ori'),
             (f'{emb}.position_embedding_res.weight', 'long_position_res'),
             ('logit_scale', 'logit_scale'), ('logit_bias', 'logit_bias')]
    pairs += _pairs('vision_model', 'visual.trunk',
                    [('embeddings.patch_embedding', 'embeds.proj'),
                     ('post_layernorm', 'norm')])
    pairs += _pairs('text_model', 'text', [('final_layer_norm', 'ln_final'),
                                           ('head', 'text_projection')])
    pairs += _pairs('', '', [('boxtext_head', 'box_text_projection'),
                             ('longtext_head', 'long_text_projection')])
    for n in range(arch['vision']['layers']):
        pairs += _pairs(f'vision_model.encoder.layers.{n}', f'visual.trunk.blocks.{n}',
                        [('layer_norm1', 'norm1'), ('layer_norm2', 'norm2'),
                         ('self_attn.out_proj', 'attn.proj'),
                         ('mlp.fc1', 'mlp.fc1'), ('mlp.fc2', 'mlp.fc2')])
    for n in range(arch['text']['layers']):
        pairs += _pairs(f'text_model.encoder.layers.{n}',
                        f'text.transformer.resblocks.{n}',
                        [('layer_norm1', 'ln_1'), ('layer_norm2', 'ln_2'),
                         ('self_attn.out_proj', 'attn.out_proj'),
                         ('mlp.fc1', 'mlp.c_fc'), ('mlp.fc2', 'mlp.c_proj')])
    for src, dst in (('vision_model.head', 'visual.trunk.attn_pool'),
                     ('dense_feature_head', 'visual.dense_head')):
        pairs.append((f'{src}.probe', f'{dst}.latent'))
        pairs += _pairs(src, dst, [('attention.out_proj', 'proj'),
                                   ('layernorm', 'norm'), ('mlp.fc1', 'mlp.fc1'),
                                   ('mlp.fc2', 'mlp.fc2')])
    return [(src.lstrip('.'), dst.lstrip('.')) for src, dst in pairs]


def _qkv(arch: Mapping) -> List[Tuple[str, Tuple[str, ...]]]:
    """``(FGCLIP2 key, (q, k, v) released keys)`` of stacked projections."""
    names = []
    for tower, dst, layers in (
            ('vision_model', 'visual.trunk.blocks.{n}.attn.qkv.{p}',
             arch['vision']['layers']),
            ('text_model', 'text.transformer.resblocks.{n}.attn.in_proj_{p}',
             arch['text']['layers'])):
        for n in range(layers):
            attn = f'{tower}.encoder.layers.{n}.self_attn'
            names += [(dst.format(n=n, p=p),
                       tuple(f'{attn}.{x}_proj.{p}' for x in 'qkv')) for p in _PARAMS]
    return names


_HEADS = (('vision_model.head', 'visual.trunk.attn_pool'),
          ('dense_feature_head', 'visual.dense_head'))


def _stack(*parts: Tensor) -> Tensor:
    return torch.cat(parts, dim=0)


def _rows(x: Tensor, start: int, stop: int) -> Tensor:
    return x[start:stop].clone()


def _pos_to_grid(table: Tensor, grid: int) -> Tensor:
    return table.reshape(1, grid, grid, -1).clone()


def _pos_from_grid(table: Tensor) -> Tensor:
    return table.reshape(-1, table.shape[-1]).clone()


def hf_to_fgclip2_rules(arch: Mapping) -> List[KeyRule]:
    """Rules writing every released :class:`FGCLIP2` key from the HF layout."""
    width, grid = arch['vision']['width'], arch['vision']['pos_grid']
    rules = [KeyRule(dst, (src,)) for src, dst in _one_to_one(arch)]
    rules += [KeyRule(dst, qkv, _stack) for dst, qkv in _qkv(arch)]
    rules.append(KeyRule('visual.trunk.embeds.pos_embed',
                         ('vision_model.embeddings.position_embedding.weight',),
                         partial(_pos_to_grid, grid=grid)))
    for src, dst in _HEADS:
        for p in _PARAMS:
            source = (f'{src}.attention.in_proj_{p}',)
            rules.append(KeyRule(f'{dst}.q.{p}', source,
                                 partial(_rows, start=0, stop=width)))
            rules.append(KeyRule(f'{dst}.kv.{p}', source,
                                 partial(_rows, start=width, stop=3 * width)))
    return rules


def fgclip2_to_hf_rules(arch: Mapping) -> List[KeyRule]:
    """Rules writing every released key from an :class:`FGCLIP2` state dict."""
    rules = [KeyRule(src, (dst,)) for src, dst in _one_to_one(arch)]
    for dst, qkv in _qkv(arch):
        width = arch['vision' if dst.startswith('visual') else 'text']['width']
        rules += [KeyRule(name, (dst,), partial(_rows, start=i * width,
                                                stop=(i + 1) * width))
                  for i, name in enumerate(qkv)]
    rules.append(KeyRule('vision_model.embeddings.position_embedding.weight',
                         ('visual.trunk.embeds.pos_embed',), _pos_from_grid))
    for src, dst in _HEADS:
        for p in _PARAMS:
            rules.append(KeyRule(f'{src}.attention.in_proj_{p}',
                                 (f'{dst}.q.{p}', f'{dst}.kv.{p}'), _stack))
    return rules


def read_hf_weights(hf_dir: str) -> Dict[str, Tensor]:
    """The state dict of a released folder (``model.safetensors``, else
    ``pytorch_model.bin`` read with ``weights_only=True``)."""
    for name in HF_WEIGHT_FILES:
        if osp.isfile(osp.join(hf_dir, name)):
            return read_state_dict(osp.join(hf_dir, name))[0]
    raise FileNotFoundError(f'none of {HF_WEIGHT_FILES} in {hf_dir}')


def read_hf_state_dict(hf_dir: str) -> Dict[str, Tensor]:
    """A released folder's weights under :class:`FGCLIP2` keys, without a
    completeness check (for loading one part, e.g. F-ViT's vision tower,
    whose own load then reports what it lacks)."""
    rules = hf_to_fgclip2_rules(hf_dir_arch(hf_dir))
    return apply_key_map(read_hf_weights(hf_dir), rules, strict=False)[0]


def load_hf_state_dict(model: nn.Module, hf_dir: str, strict: bool = True,
                       progress: bool = False) -> KeyReport:
    """Convert a released folder's weights into ``model`` (an FGCLIP2 of the
    folder's sizes).

    Raises:
        CheckpointMismatchError: (a ``KeyError``) with the key report when
            ``strict`` and a key is unused, missing (besides
            :data:`NOT_RELEASED`), mis-shaped or of the wrong dtype kind.
    """
    target = {key: value for key, value in model.state_dict().items()
              if key not in NOT_RELEASED}
    converted, report = apply_key_map(
        read_hf_weights(hf_dir), hf_to_fgclip2_rules(model.arch),
        {key: value.shape for key, value in target.items()},
        ignore=HF_IGNORED_KEYS, strict=strict,
        target_dtypes={key: value.dtype for key, value in target.items()},
        progress=progress)
    model.load_state_dict(converted, strict=False)
    report.missing.extend(f'{key} (not in released checkpoints; kept at its '
                          'initial value)' for key in NOT_RELEASED)
    return report


def load_fgclip2_hf(hf_dir: str, strict: bool = True, progress: bool = False,
                    **kwargs):
    """Build :class:`FGCLIP2` from a released folder (``progress``: show a
    progress bar).

    Returns:
        tuple[FGCLIP2, KeyReport]: The model and the key-by-key report.
    """
    from .model import FGCLIP2
    model = FGCLIP2(arch=hf_dir_arch(hf_dir),
                    tokenizer_file=kwargs.pop('tokenizer_file', None)
                    or hf_dir_tokenizer(hf_dir), **kwargs)
    return model, load_hf_state_dict(model, hf_dir, strict, progress)


def write_tokenizer_files(spec: Mapping, out_dir: str) -> None:
    """Write a tokenizer spec as ``tokenizer.json`` (+ ``tokenizer_config.json``
    with its special-token flags, when it has any)."""
    with open(osp.join(out_dir, TOKENIZER_FILES[0]), 'w', encoding='utf-8') as f:
        f.write(spec['tokenizer_json'])
    if spec.get('special_tokens'):
        with open(osp.join(out_dir, TOKENIZER_FILES[1]), 'w', encoding='utf-8') as f:
            json.dump(dict(spec['special_tokens']), f, indent=2)


def save_fgclip2_hf(model: nn.Module, out_dir: str,
                    progress: bool = False) -> KeyReport:
    """Write ``config.json`` + ``model.safetensors`` (+ the model's tokenizer,
    :func:`write_tokenizer_files`) in the released layout.

    Returns:
        KeyReport: The export report (raises ``KeyError`` if incomplete).
    """
    state_dict = {key: value for key, value in model.state_dict().items()
                  if key not in NOT_RELEASED}
    converted, report = apply_key_map(state_dict, fgclip2_to_hf_rules(model.arch),
                                      progress=progress)
    os.makedirs(out_dir, exist_ok=True)
    save_file({k: v.detach().cpu().contiguous() for k, v in converted.items()},
              osp.join(out_dir, HF_WEIGHT_FILES[0]))
    config = dict(hf_config_from_arch(model.arch), auto_map=AUTO_MAP)
    with open(osp.join(out_dir, 'config.json'), 'w', encoding='utf-8') as f:
        json.dump(config, f, indent=2)
    if model.tokenizer_spec is not None or model.tokenizer_file:
        write_tokenizer_files(model.read_tokenizer_spec(), out_dir)
    return report
