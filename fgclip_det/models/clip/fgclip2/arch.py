"""FG-CLIP 2 architecture sizes, read from (and written to) ``config.json``.

The released checkpoints (``qihoo360/fg-clip2-{base,large,so400m}``) carry
an ``Fgclip2Config`` with ``text_config`` and ``vision_config``; every size
comes from there, with the public configuration class's defaults
(``configuration_fgclip2.py``: SigLIP 2 base) for omitted fields.
"""
import math
from typing import Any, Dict, Mapping

#: ``Fgclip2TextConfig`` defaults (configuration_fgclip2.py).
HF_TEXT_DEFAULTS = dict(vocab_size=32000, hidden_size=768, intermediate_size=3072,
                        num_hidden_layers=12, num_attention_heads=12,
                        max_position_embeddings=64, hidden_act='gelu_pytorch_tanh',
                        layer_norm_eps=1e-6, keep_len=20, longtext_len=196,
                        pad_token_id=1, bos_token_id=49406, eos_token_id=49407)
#: ``Fgclip2VisionConfig`` defaults.
HF_VISION_DEFAULTS = dict(hidden_size=768, intermediate_size=3072,
                          num_hidden_layers=12, num_attention_heads=12,
                          num_channels=3, num_patches=256, patch_size=16,
                          hidden_act='gelu_pytorch_tanh', layer_norm_eps=1e-6)
#: HF activation names -> whether GELU is tanh-approximated.
ACTIVATIONS = {'gelu_pytorch_tanh': True, 'gelu': False}


def _tower(config: Mapping, key: str, defaults: Mapping) -> Dict[str, Any]:
    tower = dict(defaults, **config.get(key, {}))
    if tower['hidden_act'] not in ACTIVATIONS:
        raise ValueError(f'{key}.hidden_act={tower["hidden_act"]!r} is not one '
                         f'of {sorted(ACTIVATIONS)}')
    if tower['hidden_size'] % tower['num_attention_heads']:
        raise ValueError(f'{key}.hidden_size={tower["hidden_size"]} is not a '
                         'multiple of num_attention_heads='
                         f'{tower["num_attention_heads"]}')
    return tower


def arch_from_hf_config(config: Mapping) -> Dict[str, dict]:
    """The :class:`~.model.FGCLIP2` ``arch`` of a parsed ``config.json``.

    Raises:
        ValueError: An unsupported activation, a position table that is not
            a square grid, or a text head narrower than the image embedding.
    """
    text = _tower(config, 'text_config', HF_TEXT_DEFAULTS)
    vision = _tower(config, 'vision_config', HF_VISION_DEFAULTS)
    grid = math.isqrt(vision['num_patches'])
    if grid * grid != vision['num_patches']:
        raise ValueError(f'vision_config.num_patches={vision["num_patches"]} is '
                         'not a square grid of position embeddings')
    if vision['num_channels'] != 3:
        raise ValueError(f'vision_config.num_channels={vision["num_channels"]} '
                         'is not 3')
    projection = text.get('projection_size') or text['hidden_size']
    if projection != vision['hidden_size']:
        raise ValueError(f'text_config.projection_size={projection} differs from '
                         f'vision_config.hidden_size={vision["hidden_size"]} (the '
                         'image embedding has no projection)')
    return dict(
        vision=dict(width=vision['hidden_size'], layers=vision['num_hidden_layers'],
                    heads=vision['num_attention_heads'],
                    mlp_dim=vision['intermediate_size'],
                    patch_size=vision['patch_size'], pos_grid=grid,
                    eps=vision['layer_norm_eps'],
                    gelu_tanh=ACTIVATIONS[vision['hidden_act']]),
        text=dict(width=text['hidden_size'], layers=text['num_hidden_layers'],
                  heads=text['num_attention_heads'], mlp_dim=text['intermediate_size'],
                  vocab_size=text['vocab_size'],
                  context_length=text['max_position_embeddings'],
                  long_context_length=text['longtext_len'], keep_len=text['keep_len'],
                  embed_dim=projection, eps=text['layer_norm_eps'],
                  gelu_tanh=ACTIVATIONS[text['hidden_act']]))


def mlp_ratio(width: int, mlp_dim: int) -> float:
    """The MLP ratio that timm and open_clip (``int(width * ratio)``) turn
    back into exactly ``mlp_dim``."""
    return (mlp_dim + 0.5) / width


def _act(gelu_tanh: bool) -> str:
    return 'gelu_pytorch_tanh' if gelu_tanh else 'gelu'


def hf_config_from_arch(arch: Mapping[str, Mapping]) -> dict:
    """A released-layout ``config.json`` for an ``arch`` (export)."""
    vision, text = arch['vision'], arch['text']
    return dict(
        architectures=['Fgclip2Model'], model_type='fgclip2', dtype='float32',
        text_config=dict(
            model_type='fgclip2_text_model', vocab_size=text['vocab_size'],
            hidden_size=text['width'], intermediate_size=text['mlp_dim'],
            num_hidden_layers=text['layers'], num_attention_heads=text['heads'],
            max_position_embeddings=text['context_length'],
            longtext_len=text['long_context_length'], keep_len=text['keep_len'],
            projection_size=text['embed_dim'], layer_norm_eps=text['eps'],
            hidden_act=_act(text['gelu_tanh'])),
        vision_config=dict(
            model_type='fgclip2_vision_model', hidden_size=vision['width'],
            intermediate_size=vision['mlp_dim'],
            num_hidden_layers=vision['layers'],
            num_attention_heads=vision['heads'], num_channels=3,
            num_patches=vision['pos_grid'] ** 2, patch_size=vision['patch_size'],
            layer_norm_eps=vision['eps'], hidden_act=_act(vision['gelu_tanh'])))


def _siglip2_size(width: int, layers: int, heads: int, mlp_dim: int) -> Dict[str, dict]:
    tower = dict(hidden_size=width, num_hidden_layers=layers,
                 num_attention_heads=heads, intermediate_size=mlp_dim)
    return arch_from_hf_config(dict(
        text_config=dict(tower, vocab_size=256000, projection_size=width),
        vision_config=tower))


#: The three released sizes, as the SigLIP 2 towers they start from
#: (open_clip ``ViT-{B,L,SO400M}-16-SigLIP2`` configs; Gemma vocabulary,
#: 64 / 196 text positions, patch 16, a 16 x 16 position grid). A released
#: folder's ``config.json`` is read instead wherever one is given.
ARCH_PRESETS = dict(base=_siglip2_size(768, 12, 12, 3072),
                    large=_siglip2_size(1024, 24, 16, 4096),
                    so400m=_siglip2_size(1152, 27, 16, 4304))
