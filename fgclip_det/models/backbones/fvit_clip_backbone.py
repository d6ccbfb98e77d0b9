"""Frozen FG-CLIP ViT as a multi-level detection backbone (F-ViT)."""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmdet.utils import ConfigType, OptConfigType, OptMultiConfig
from mmengine.logging import MMLogger
from mmengine.model import BaseModule
from torch import Tensor, nn

from fgclip_det.models.clip.attention_fast_path import (
    AttentionFastPath,
    check_fast_path_mode,
    mha_fast_path,
    use_fast_path,
)
from fgclip_det.models.clip.checkpoint import (
    load_state_dict_with_report,
    read_state_dict,
)
from fgclip_det.models.clip.eva_clip_layout import eva_clip_to_open_clip
from fgclip_det.models.clip.fgclip2.hf_layout import read_hf_state_dict
from fgclip_det.registry import MODELS

#: Where ``FGCLIP`` keeps its vision tower in its state dict.
FGCLIP_VISUAL_PREFIX = 'clip.visual.'
#: Key layouts ``clip_checkpoint`` may have.
CHECKPOINT_LAYOUTS = ('open_clip', 'eva_clip', 'fgclip2_hf')
#: Number of feature levels: upsampled 4x, 2x, as is, pooled 2x.
NUM_LEVELS = 4


def _adapter(level: int, channels: int, norm_cfg: ConfigType) -> nn.Module:
    """The resampling of one level: 4x up, 2x up, identity, 2x down."""
    if level == 0:
        return nn.Sequential(
            nn.ConvTranspose2d(channels, channels, 2, stride=2),
            build_norm_layer(norm_cfg, channels)[1], nn.GELU(),
            nn.ConvTranspose2d(channels, channels, 2, stride=2))
    if level == 1:
        return nn.ConvTranspose2d(channels, channels, 2, stride=2)
    if level == 2:
        return nn.Identity()
    return nn.MaxPool2d(kernel_size=2, stride=2)


@MODELS.register_module()
class FViTCLIPBackbone(BaseModule):
    """A frozen CLIP vision tower as a four-level feature pyramid.

    F-ViT (CLIPSelf, Wu et al., ICLR 2024): the CLIP tower runs frozen and
    without gradients; the tokens after four blocks (prefix tokens dropped,
    reshaped to the patch grid) are resampled by trainable adapters to
    strides ``p / 4, p / 2, p, 2p`` for patch size ``p`` — 4, 8, 16, 32 for
    /16; 3.5, 7, 14, 28 for /14, so anchors and RoI strides follow the patch
    size. Pad inputs to a multiple of ``2p``. Position tables are resized
    (cached per grid) to any input size. An mmdet ``FPN`` follows in the
    detector config. Every tower family with a vision-trunk adapter works
    (open_clip ViT, timm EVA / EVA-02, timm SigLIP / SigLIP 2, FG-CLIP 2's
    NaFlex tower; see :mod:`fgclip_det.models.clip.trunks`).

    :meth:`forward_with_dense` also returns the dense CLIP map of the
    family's dense path, L2-normalised (for the test-time ensemble of
    ``FViTRoIHead``): the value path of the last block for class-token
    towers, the attention-pool head on every token for SigLIP, the trained
    dense head (every token its own query) for FG-CLIP 2.

    Args:
        clip (dict): Config of the CLIP model whose vision tower is used: an
            ``FGCLIP`` (``model_name`` or ``model_cfg``, ``pretrained``,
            ``quick_gelu``, ``trunk_cfg``, ...) or an ``FGCLIP2`` (``arch``,
            ``pretrained``: a released folder). Its text tower is dropped.
        out_indices (Sequence[int]): Four ascending 0-based block indices,
            ``(3, 5, 7, 11)`` for ViT-B/16, ``(6, 10, 14, 23)`` for ViT-L/14.
        norm_cfg (dict, optional): Norm between the two transposed convs of
            the first level. Defaults to None: ``dict(type='SyncBN')``.
        clip_checkpoint (str, optional): Checkpoint (toolkit or open_clip
            file, or a released FG-CLIP 2 folder) whose vision tower
            :meth:`init_weights` loads (so a model built to test a trained
            detector needs no such file). Defaults to None.
        clip_checkpoint_prefix (str): Key prefix of the vision tower in
            that checkpoint. Defaults to ``'clip.visual.'`` (an ``FGCLIP``
            state dict); ``'clip.clip.visual.'`` inside an
            ``FGCLIPPretrainer`` training checkpoint; ``'visual.'`` in an
            open_clip state dict (e.g. a CLIPSelf or FineCLIP fine-tuned
            tower of the same architecture) or an ``FGCLIP2`` state dict.
        clip_checkpoint_layout (str): ``'open_clip'`` (toolkit and open_clip
            state dicts), ``'eva_clip'``: EVA-CLIP's own names, as CLIPSelf
            releases its EVA towers, converted to open_clip's with timm's
            ``checkpoint_filter_fn``, or ``'fgclip2_hf'``: a released
            FG-CLIP 2 folder, converted by ``fgclip2.hf_layout.read_hf_state_dict`` (use
            prefix ``'visual.'`` with both). Defaults to 'open_clip'.
        last_block (str): ``'attention'`` runs the last block as it is
            (its map, if in ``out_indices``, is the usual block output);
            ``'value_path'`` runs it only attention-free, so the last level
            and the dense map come from that one pass, as CLIPSelf's F-ViT
            backbone does (``F-ViT/models/evaclip_vit.py``). Only towers with
            a value-path dense map (open_clip ViT, EVA). Defaults to
            'attention'.
        attention_fast_path (str): ``'auto'``, ``'on'`` or ``'off'``: whether
            the frozen tower takes ``nn.MultiheadAttention``'s native
            inference fast path (open_clip towers; timm towers do not use
            it). ``'auto'`` decides by device and sequence length as
            measured (:mod:`fgclip_det.models.clip.attention_fast_path`).
            Defaults to 'auto'.
        init_cfg (dict or list[dict], optional): Initialisation of the
            adapters. Defaults to None.
    """

    def __init__(self,
                 clip: ConfigType,
                 out_indices: Sequence[int] = (3, 5, 7, 11),
                 norm_cfg: OptConfigType = None,
                 clip_checkpoint: Optional[str] = None,
                 clip_checkpoint_prefix: str = FGCLIP_VISUAL_PREFIX,
                 clip_checkpoint_layout: str = 'open_clip',
                 last_block: str = 'attention',
                 attention_fast_path: AttentionFastPath = 'auto',
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        model = MODELS.build(clip)
        self.visual = model.visual.requires_grad_(False)
        self.vision_trunk = model.vision_trunk
        num_blocks = self.vision_trunk.num_blocks
        out_indices = [int(i) for i in out_indices]
        if (len(out_indices) != NUM_LEVELS or out_indices != sorted(set(out_indices))
                or not 0 <= out_indices[0] <= out_indices[-1] < num_blocks):
            raise ValueError(
                f'out_indices must be {NUM_LEVELS} ascending block indices in '
                f'[0, {num_blocks}), got {out_indices}')
        self.out_indices = out_indices
        self.vision_trunk.check_last_block(last_block)
        self.last_block = last_block
        check_fast_path_mode(attention_fast_path)
        self.attention_fast_path = attention_fast_path
        self.clip_checkpoint = clip_checkpoint
        self.clip_checkpoint_prefix = clip_checkpoint_prefix
        if clip_checkpoint_layout not in CHECKPOINT_LAYOUTS:
            raise ValueError(f'clip_checkpoint_layout must be one of '
                             f'{CHECKPOINT_LAYOUTS}, got {clip_checkpoint_layout!r}')
        self.clip_checkpoint_layout = clip_checkpoint_layout
        self.patch_size = self.vision_trunk.patch_size
        width = self.vision_trunk.width
        norm_cfg = norm_cfg or dict(type='SyncBN', requires_grad=True)
        self.adapters = nn.ModuleList(
            _adapter(level, width, norm_cfg) for level in range(NUM_LEVELS))

    @property
    def strides(self) -> Tuple[float, ...]:
        """Output strides ``(p / 4, p / 2, p, 2p)`` of the four levels."""
        patch = self.patch_size[0]
        return (patch / 4, patch / 2, patch, patch * 2)

    def init_weights(self) -> None:
        """Initialise the adapters, then load the CLIP tower's weights."""
        super().init_weights()
        if self.clip_checkpoint is None:
            return
        report = load_state_dict_with_report(
            self.visual, self._read_clip_checkpoint(),
            prefix=self.clip_checkpoint_prefix, strict=True)
        self.vision_trunk.clear_cache()
        MMLogger.get_current_instance().info(
            f'FViTCLIPBackbone: loaded {len(report.filled)} tensors from '
            f'{self.clip_checkpoint}')

    def _read_clip_checkpoint(self) -> Dict[str, Tensor]:
        """``clip_checkpoint``'s state dict in the layout of the tower."""
        if self.clip_checkpoint_layout == 'fgclip2_hf':
            return read_hf_state_dict(self.clip_checkpoint)
        if osp.isdir(self.clip_checkpoint):
            raise ValueError(f'clip_checkpoint {self.clip_checkpoint!r} is a '
                             'folder: a released FG-CLIP 2 one needs '
                             "clip_checkpoint_layout='fgclip2_hf'")
        state_dict, _ = read_state_dict(self.clip_checkpoint)
        if self.clip_checkpoint_layout == 'eva_clip':
            state_dict = eva_clip_to_open_clip(state_dict, self.visual)
        return state_dict

    def train(self, mode: bool = True) -> 'FViTCLIPBackbone':
        """Set the adapters' mode; the CLIP tower always stays in eval."""
        super().train(mode)
        self.visual.eval()
        return self

    @torch.no_grad()
    def _run_clip(self, images: Tensor,
                  with_dense: bool) -> Tuple[List[Tensor], Optional[Tensor]]:
        """Token grids after ``out_indices`` and, optionally, the dense map."""
        patch_h, patch_w = self.patch_size
        num_tokens = (images.shape[-2] // patch_h) * (images.shape[-1] // patch_w) + 1
        fast = use_fast_path(self.attention_fast_path, num_tokens, images.device)
        with mha_fast_path(fast):
            features = self.vision_trunk.features(images, self.out_indices,
                                                  with_dense=with_dense,
                                                  last_block=self.last_block)
        dense = features.dense
        return features.maps, None if dense is None else F.normalize(dense, dim=1)

    def _resample(self, maps: List[Tensor]) -> Tuple[Tensor, ...]:
        return tuple(adapter(m) for adapter, m in zip(self.adapters, maps))

    def forward(self, images: Tensor) -> Tuple[Tensor, ...]:
        """Four feature levels.

        Args:
            images (Tensor): ``(B, 3, H, W)``, CLIP-normalised, ``H`` and
                ``W`` multiples of ``2p``.

        Returns:
            tuple[Tensor]: ``(B, C, H * s / p, W * s / p)`` for ``s`` in 4, 2,
            1, 1/2; ``C`` is the tower's token width.
        """
        maps, _ = self._run_clip(images, with_dense=False)
        return self._resample(maps)

    def forward_with_dense(self,
                           images: Tensor) -> Tuple[Tuple[Tensor, ...], Tensor]:
        """Feature levels and the dense CLIP map from one pass of the ViT.

        Args:
            images (Tensor): ``(B, 3, H, W)`` as in :meth:`forward`.

        Returns:
            tuple: The levels of :meth:`forward` and the L2-normalised dense
            CLIP map ``(B, D, H / p, W / p)`` (``D``: the CLIP embedding
            width).
        """
        maps, dense = self._run_clip(images, with_dense=True)
        return self._resample(maps), dense
