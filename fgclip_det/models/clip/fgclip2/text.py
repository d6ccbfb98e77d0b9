"""FG-CLIP 2's text tower: open_clip's bidirectional ``TextTransformer``
pooled at the last position, with FG-CLIP's long-text position tables and
separate heads for box and long captions."""
from functools import partial
from typing import Mapping

from open_clip.transformer import LayerNorm, TextTransformer
from torch import nn

from .arch import mlp_ratio

#: The text paths ("walk types" of the public code) and the head each uses.
WALKS = ('short', 'box', 'long')


def build_text_transformer(cfg: Mapping) -> TextTransformer:
    """open_clip's SigLIP-2-style text tower for an ``arch['text']`` dict:
    no causal mask, last-token pooling, a Linear head with bias
    (``text_model.head``)."""
    act = partial(nn.GELU, approximate='tanh') if cfg['gelu_tanh'] else nn.GELU
    return TextTransformer(
        context_length=cfg['context_length'], vocab_size=cfg['vocab_size'],
        width=cfg['width'], heads=cfg['heads'], layers=cfg['layers'],
        mlp_ratio=mlp_ratio(cfg['width'], cfg['mlp_dim']), output_dim=cfg['embed_dim'],
        no_causal_mask=True, pool_type='last', proj_type='linear', proj_bias=True,
        act_layer=act, norm_layer=partial(LayerNorm, eps=cfg['eps']))
