"""EVA-CLIP's own checkpoint layout, as released by CLIPSelf and FineCLIP,
read into open_clip's EVA towers (a timm ``Eva`` trunk).

EVA-CLIP names the tower ``visual.blocks.N.attn.q_bias``,
``visual.blocks.N.mlp.w1`` ... where open_clip's ``EVA02-*`` towers have
``visual.trunk.blocks.N.attn.q_proj.bias``, ``visual.trunk.blocks.N.mlp.fc1_g``
...; timm's own ``timm.models.eva.checkpoint_filter_fn`` renames one to the
other (and resamples the position table to the trunk's grid).
"""
from typing import Dict

from timm.models.eva import checkpoint_filter_fn
from torch import Tensor, nn

from .eva_trunk import is_eva_tower

#: Key of the position table that marks the EVA-CLIP layout.
EVA_CLIP_MARKER = 'visual.pos_embed'
#: Prefix of the vision tower in the converted (open_clip) state dict.
OPEN_CLIP_EVA_PREFIX = 'visual.trunk.'


def eva_clip_to_open_clip(state_dict: Dict[str, Tensor],
                          visual: nn.Module) -> Dict[str, Tensor]:
    """The vision tower of an EVA-CLIP state dict, in open_clip's layout.

    Args:
        state_dict (dict): An EVA-CLIP model state dict (``visual.*``,
            ``text.*``, ...); only ``visual.*`` is read.
        visual (nn.Module): The open_clip EVA tower it is for.

    Returns:
        dict: ``visual.trunk.*`` tensors (RoPE buffers, which are rebuilt from
        the configuration, dropped).

    Raises:
        ValueError: ``visual`` is not an EVA tower, or ``state_dict`` has no
            ``visual.pos_embed`` (not the EVA-CLIP layout).
    """
    if not is_eva_tower(visual):
        raise ValueError('an EVA-CLIP checkpoint loads into an open_clip EVA '
                         f'tower (EVA02-B-16, ...), not a {type(visual).__name__}')
    if EVA_CLIP_MARKER not in state_dict:
        hint = (' (it is in open_clip\'s layout: load it with '
                "clip_checkpoint_layout='open_clip')"
                if OPEN_CLIP_EVA_PREFIX + 'pos_embed' in state_dict else '')
        raise ValueError(f'not an EVA-CLIP state dict: no {EVA_CLIP_MARKER!r}'
                         + hint)
    tower = {key: value for key, value in state_dict.items()
             if key.startswith('visual.')}
    converted = checkpoint_filter_fn(tower, visual.trunk)
    converted.pop('rope.freqs', None)
    return {OPEN_CLIP_EVA_PREFIX + key: value for key, value in converted.items()}
