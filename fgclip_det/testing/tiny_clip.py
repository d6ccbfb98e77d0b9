"""Tiny FG-CLIP models and checkpoints for fast CPU tests.

Width 64, 3 vision / 2 text layers, 64 px images (a 4x4 grid of 16 px
patches), 32-d embeddings, the real 49408-token CLIP vocabulary so the real
tokenizer works. A forward pass takes milliseconds.
"""
import copy
from pathlib import Path
from typing import Optional

import torch

#: open_clip model config of the tiny CLIP (QuickGELU, as OpenAI CLIP).
TINY_CLIP_CFG = dict(
    embed_dim=32,
    quick_gelu=True,
    vision_cfg=dict(image_size=64, patch_size=16, width=64, layers=3, head_width=16),
    text_cfg=dict(context_length=77, vocab_size=49408, width=64, heads=4, layers=2),
)
#: Input size of the tiny model.
TINY_IMAGE_SIZE = 64
#: FineHARD data pipeline at the tiny model's input size.
TINY_PRETRAIN_PIPELINE = [
    dict(type='LoadCLIPImage'),
    dict(type='ResizeToSquare', size=TINY_IMAGE_SIZE),
    dict(type='PackCLIPInputs'),
]
#: The regional and hard-negative heads that make a pretrainer stage 2.
STAGE2_HEADS = dict(
    regional_head=dict(type='RegionalContrastiveHead'),
    hard_negative_head=dict(type='HardNegativeHead'))
#: Folder of the shared FG-CLIP HF-layout fixture, relative to the repo root.
FGCLIP_TINY_HF_FIXTURE = Path('..', 'shared', 'fixtures', 'fgclip_tiny_hf')


def tiny_open_clip_cfg() -> dict:
    """A fresh copy of :data:`TINY_CLIP_CFG`."""
    return copy.deepcopy(TINY_CLIP_CFG)


def tiny_fgclip_cfg(**kwargs) -> dict:
    """Registry config of a tiny ``FGCLIP``: ``MODELS.build(tiny_fgclip_cfg())``.

    Args:
        **kwargs: Extra ``FGCLIP`` arguments (``pretrained``, ...).
    """
    return dict(type='FGCLIP', model_cfg=tiny_open_clip_cfg(), **kwargs)


def build_tiny_fgclip(seed: int = 0, **kwargs):
    """A tiny ``FGCLIP`` with seeded random weights, in eval mode.

    Args:
        seed (int): Seed of the random initialisation. Defaults to 0.
        **kwargs: Extra ``FGCLIP`` arguments.
    """
    from fgclip_det.models.clip import FGCLIP

    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = FGCLIP(model_cfg=tiny_open_clip_cfg(), **kwargs)
    return model.eval()


def write_tiny_open_clip_checkpoint(path: str, seed: int = 0) -> dict:
    """Save a tiny open_clip ``CLIP`` state dict (the layout of open_clip's
    pretrained files) with randomised norms and logit scale.

    Args:
        path (str): ``.pt``/``.bin`` (torch.save) or ``.safetensors``.
        seed (int): Seed. Defaults to 0.

    Returns:
        dict: The state dict written.
    """
    import open_clip
    from safetensors.torch import save_file

    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = open_clip.CLIP(**tiny_open_clip_cfg())
        state_dict = {k: v + 0.1 * torch.randn_like(v) if v.is_floating_point() else v
                      for k, v in model.state_dict().items()}
    if str(path).endswith('.safetensors'):
        save_file({k: v.contiguous() for k, v in state_dict.items()}, str(path))
    else:
        torch.save(state_dict, path)
    return state_dict


def fgclip_tiny_hf_fixture() -> Optional[Path]:
    """The shared FG-CLIP HF-layout fixture folder, or None if absent."""
    repo_root = Path(__file__).resolve().parents[2]
    folder = (repo_root / FGCLIP_TINY_HF_FIXTURE).resolve()
    return folder if (folder / 'config.json').is_file() else None
