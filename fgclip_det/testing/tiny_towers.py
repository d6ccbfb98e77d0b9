"""Tiny open_clip models of every vision-trunk family, for CPU tests.

Each family's tower has the structure of its real counterpart at width 64
and 4 blocks (one per F-ViT level):

- ``'openai'``: open_clip ``VisionTransformer`` with QuickGELU
  (:data:`~fgclip_det.testing.tiny_clip.TINY_CLIP_CFG` with a fourth block);
- ``'eva02'``: a timm ``Eva`` trunk shaped like ``EVA02-B-16`` (separate
  q/k/v, inner attention norm, SwiGLU, rotary positions);
- ``'siglip2'``: a timm ``VisionTransformer`` shaped like
  ``ViT-B-16-SigLIP2`` (no class token, MAP head, tanh GELU; the text tower
  bidirectional, pooled at the last token, with a logit bias), with CLIP's
  BPE vocabulary so the tests need no HuggingFace tokenizer.

The timm trunks are registered with timm under ``fgclip_tiny_*`` names when
this module is imported, so ``open_clip`` builds them by name.
"""
import copy
from typing import Dict

from timm.layers import get_act_layer
from timm.models import register_model
from timm.models.eva import Eva
from timm.models.vision_transformer import VisionTransformer

from .tiny_clip import TINY_CLIP_CFG

#: Input size of every tiny tower (a 4 x 4 grid of 16 px patches).
TINY_TOWER_SIZE = 64
_TRUNK = dict(img_size=TINY_TOWER_SIZE, patch_size=16, embed_dim=64, depth=4,
              num_heads=4)


@register_model
def fgclip_tiny_eva02(pretrained: bool = False, **kwargs) -> Eva:
    """A 4-block EVA-02 trunk (timm entrypoint, random weights)."""
    return Eva(**_TRUNK, qkv_fused=False, mlp_ratio=4 * 2 / 3, swiglu_mlp=True,
               scale_mlp=True, scale_attn_inner=True, use_rot_pos_emb=True,
               ref_feat_shape=(4, 4), **_timm_head_kwargs(kwargs))


@register_model
def fgclip_tiny_siglip2(pretrained: bool = False, **kwargs) -> VisionTransformer:
    """A 4-block SigLIP 2 trunk (timm entrypoint, random weights)."""
    return VisionTransformer(**_TRUNK, class_token=False,
                             act_layer=get_act_layer('gelu_tanh'),
                             **_timm_head_kwargs(kwargs, default_pool='map'))


def _timm_head_kwargs(kwargs: dict, default_pool: str = 'token') -> dict:
    """The head arguments open_clip passes and timm's dynamic-size switch
    (timm's pretrained_cfg and cache_dir are not used by a random trunk)."""
    return dict(num_classes=kwargs.get('num_classes', 0),
                global_pool=kwargs.get('global_pool', default_pool),
                dynamic_img_size=kwargs.get('dynamic_img_size', False))


_TINY_TEXT = dict(context_length=77, vocab_size=49408, width=64, heads=4,
                  layers=2)
TINY_TOWER_CFGS: Dict[str, dict] = dict(
    openai=dict(TINY_CLIP_CFG,
                vision_cfg=dict(TINY_CLIP_CFG['vision_cfg'], layers=4)),
    eva02=dict(
        embed_dim=32, custom_text=True,
        vision_cfg=dict(image_size=TINY_TOWER_SIZE,
                        timm_model_name='fgclip_tiny_eva02',
                        timm_model_pretrained=False, timm_pool='token',
                        timm_proj=None),
        text_cfg=_TINY_TEXT),
    siglip2=dict(
        embed_dim=64, custom_text=True, init_logit_bias=-10,
        vision_cfg=dict(image_size=TINY_TOWER_SIZE,
                        timm_model_name='fgclip_tiny_siglip2',
                        timm_model_pretrained=False, timm_pool='map',
                        timm_proj='none'),
        text_cfg=dict(_TINY_TEXT, context_length=64, no_causal_mask=True,
                      proj_bias=True, pool_type='last',
                      norm_kwargs=dict(eps=1e-6),
                      act_kwargs=dict(approximate='tanh'))),
)
#: The families, in the order the docs list them.
TINY_FAMILIES = tuple(TINY_TOWER_CFGS)


def tiny_tower_cfg(family: str) -> dict:
    """A fresh open_clip model config of the tiny model of ``family``."""
    if family not in TINY_TOWER_CFGS:
        raise ValueError(f'family must be one of {TINY_FAMILIES}, got {family!r}')
    return copy.deepcopy(TINY_TOWER_CFGS[family])


def tiny_family_fgclip_cfg(family: str, **kwargs) -> dict:
    """Registry config of a tiny ``FGCLIP`` of ``family``."""
    return dict(type='FGCLIP', model_cfg=tiny_tower_cfg(family), **kwargs)
