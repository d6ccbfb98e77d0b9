"""FG-CLIP: a CLIP dual encoder with long text, dense and region features.

FG-CLIP: Fine-Grained Visual and Textual Alignment (Xie et al., ICML 2025).
The model wraps an open_clip ``CLIP`` (kept whole under ``.clip``, so every
open_clip architecture and checkpoint works) and adds:

- a long-text path: 248 tokens through the same text transformer with a
  stretched position table and its own projection, both initialised from the
  short (77-token) ones;
- a dense feature map at any input size, from the tower's vision-trunk
  adapter (:mod:`.trunks`): for class-token towers (open_clip ViT, EVA) the
  last block with attention replaced by its value path, then the final norm
  and projection; for SigLIP towers the attention-pool head on every token;
- region embeddings: RoIAlign (1x1, aligned) of that map at boxes;
- logit scales for the global, regional and hard-negative losses.
"""
import copy
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from fgclip_det.registry import MODELS

from .checkpoint import (
    META_CFG_KEY,
    load_state_dict_with_report,
    read_state_dict,
    save_checkpoint,
)
from .constants import REGION_LOGIT_SCALES
from .key_map import KeyReport
from .long_text_positions import stretch_position_table
from .open_clip_factory import (
    build_open_clip,
    plain_config,
    resolve_model_cfg,
    split_towers,
)
from .region_pool import BoxFormat, pool_regions
from .text_tower import encode_text_tokens
from .tokenizer import Tokenizer, build_tokenizer
from .trunks import VisionTrunk, build_vision_trunk

TextInput = Union[Tensor, str, List[str]]


def _normalize(x: Tensor, normalize: bool, dim: int = -1) -> Tensor:
    return F.normalize(x, dim=dim) if normalize else x


@MODELS.register_module()
class FGCLIP(nn.Module):
    """The FG-CLIP dual encoder on top of an open_clip CLIP.

    Weights: ``pretrained`` initialises the CLIP from open_clip (a tag such
    as ``'openai'`` or a local open_clip state dict; the long-text parts are
    then copied from the short ones); ``checkpoint`` then loads a toolkit
    checkpoint (e.g. converted FG-CLIP weights) strictly.

    Logit scales are stored as logs (the losses use their exponential):
    ``logit_scale`` (global, open_clip's own), ``logit_scale_region`` and
    ``logit_scale_hardneg``. The last two start as copies of the global one,
    as the public FG-CLIP code sets them (``fgclip/train/train_fgclip.py``,
    ``train()``: ``logit_scale_finegraind`` and ``logit_scale_hardneg`` =
    ``nn.Parameter(torch.ones([]) * model.logit_scale)`` after
    ``from_pretrained``); :meth:`init_region_logit_scales` copies it again,
    e.g. after a checkpoint is loaded into the model.

    Args:
        model_name (str, optional): open_clip architecture, e.g.
            ``'ViT-B-16'``, ``'ViT-L-14-336'``, ``'EVA02-B-16'``.
        model_cfg (dict, optional): An open_clip model config instead of a
            name (``embed_dim``, ``vision_cfg``, ``text_cfg``, ``quick_gelu``).
        pretrained (str, optional): open_clip weights: a tag of
            ``model_name`` or a file. Defaults to None.
        checkpoint (str, optional): Toolkit checkpoint of this model.
            Defaults to None.
        quick_gelu (bool, optional): Force QuickGELU on or off. Defaults to
            None: the pretrained tag's choice (on for OpenAI), else the config's.
        image_size (int, optional): Override the pretrained input size; the
            position table is resized when weights load. Defaults to None.
        cache_dir (str, optional): Download cache for pretrained tags.
        grad_checkpointing (bool): Enable gradient checkpointing. Defaults to
            False.
        trunk_cfg (dict, optional): Options of the vision-trunk adapter
            chosen for the tower (see :func:`~.trunks.build_vision_trunk`),
            e.g. ``dict(dense_path='value')`` for a SigLIP tower. Defaults to
            None.
    """

    def __init__(self,
                 model_name: Optional[str] = None,
                 *,
                 model_cfg: Optional[dict] = None,
                 pretrained: Optional[str] = None,
                 checkpoint: Optional[str] = None,
                 quick_gelu: Optional[bool] = None,
                 image_size: Optional[int] = None,
                 cache_dir: Optional[str] = None,
                 grad_checkpointing: bool = False,
                 trunk_cfg: Optional[dict] = None) -> None:
        super().__init__()
        if pretrained and checkpoint:
            raise ValueError('give pretrained (open_clip weights) or checkpoint '
                             '(toolkit weights), not both')
        self.model_name = model_name
        self.model_cfg = resolve_model_cfg(model_name, model_cfg, pretrained,
                                           quick_gelu, image_size)
        self.clip = build_open_clip(self.model_cfg, model_name, pretrained, cache_dir)
        text = self.text_tower
        if getattr(text, 'cls_emb', None) is not None:
            raise ValueError('text towers with a class token are not supported '
                             '(the long path pools a token of the caption)')
        self.causal_text = getattr(text, 'attn_mask', None) is not None

        self.long_positional_embedding = nn.Parameter(
            stretch_position_table(text.positional_embedding.detach()).clone())
        self.long_text_projection = copy.deepcopy(text.text_projection)
        # Start at the global log-scale: log(1 / 0.07) from scratch, the
        # pretrained one (OpenAI CLIP: log 100) otherwise.
        self.logit_scale_region = nn.Parameter(self.logit_scale.detach().clone())
        self.logit_scale_hardneg = nn.Parameter(self.logit_scale.detach().clone())
        self._tokenizer: Optional[Tokenizer] = None
        self.trunk_cfg = plain_config(trunk_cfg) if trunk_cfg else None
        self.vision_trunk: VisionTrunk = build_vision_trunk(self.visual, trunk_cfg)
        self.set_grad_checkpointing(grad_checkpointing)
        if checkpoint:
            self.load_checkpoint(checkpoint)

    # ------------------------------------------------------------ accessors
    @property
    def visual(self) -> nn.Module:
        """The open_clip vision tower."""
        return split_towers(self.clip)[0]

    @property
    def text_tower(self) -> nn.Module:
        """The module holding the open_clip text parts."""
        return split_towers(self.clip)[1]

    @property
    def logit_scale(self) -> nn.Parameter:
        """Log of the global (image-text) logit scale, open_clip's own."""
        return self.clip.logit_scale

    @property
    def logit_bias(self) -> Optional[nn.Parameter]:
        """The sigmoid loss's logit bias of SigLIP-trained models, else None."""
        return getattr(self.clip, 'logit_bias', None)

    @property
    def scoring(self) -> str:
        """``'sigmoid'`` for models trained with a logit bias (SigLIP),
        else ``'cosine'``."""
        return 'cosine' if self.logit_bias is None else 'sigmoid'

    def match_scores(self, queries: Tensor, keys: Tensor) -> Tensor:
        """Scores ``(N, M)`` of L2-normalised embeddings ``(N, D)``, ``(M, D)``.

        Cosine similarities for softmax-trained CLIPs; for sigmoid-trained
        ones the probability the family defines, ``sigmoid(exp(s) * cos + b)``
        with its logit scale ``s`` and bias ``b``. Either ranks as the cosine.
        """
        cosine = queries @ keys.t()
        if self.logit_bias is None:
            return cosine
        return torch.sigmoid(self.logit_scale.exp() * cosine + self.logit_bias)

    @property
    def embed_dim(self) -> int:
        """Width ``D`` of every embedding."""
        return self.model_cfg['embed_dim']

    @property
    def patch_size(self) -> Tuple[int, int]:
        """Patch size ``(ph, pw)``: the stride of the dense map."""
        return self.vision_trunk.patch_size

    @property
    def build_cfg(self) -> dict:
        """Constructor arguments that rebuild this architecture (no weights)."""
        cfg = dict(model_cfg=copy.deepcopy(self.model_cfg))
        if self.trunk_cfg:
            cfg['trunk_cfg'] = copy.deepcopy(self.trunk_cfg)
        return cfg

    @torch.no_grad()
    def init_region_logit_scales(
            self, names: Sequence[str] = REGION_LOGIT_SCALES) -> None:
        """Copy the global log-scale into region log-scales (log space).

        Args:
            names (Sequence[str]): Which of :data:`REGION_LOGIT_SCALES` to
                set. Defaults to both.
        """
        unknown = [name for name in names if name not in REGION_LOGIT_SCALES]
        if unknown:
            raise ValueError(f'names must be among {REGION_LOGIT_SCALES}, got '
                             f'{unknown}')
        for name in names:
            getattr(self, name).copy_(self.logit_scale)

    def set_grad_checkpointing(self, enable: bool = True) -> None:
        """Switch gradient checkpointing of both towers (open_clip's switch)."""
        self.clip.set_grad_checkpointing(enable)

    def no_weight_decay(self) -> set:
        """Parameter names conventionally excluded from weight decay."""
        names = {'clip.' + name for name in self.clip.no_weight_decay()}
        return names | {'clip.logit_scale', 'logit_scale_region',
                        'logit_scale_hardneg', 'long_positional_embedding'}

    # ------------------------------------------------------------------ text
    @property
    def tokenizer(self) -> Tokenizer:
        """The tokenizer of the text config, built on first use (a
        HuggingFace one, e.g. SigLIP's, needs ``transformers``; a model used
        only for its image tower never builds it)."""
        if self._tokenizer is None:
            self._tokenizer = build_tokenizer(
                self.model_cfg['text_cfg'],
                short_length=self.text_tower.positional_embedding.shape[0],
                long_length=self.long_positional_embedding.shape[0])
        return self._tokenizer

    def tokenize(self, texts: Union[str, List[str]], long: bool = False) -> Tensor:
        """Token ids ``(N, 248 if long else 77)`` on the model's device."""
        device = self.text_tower.token_embedding.weight.device
        return self.tokenizer(texts, long=long).to(device)

    def encode_text(self, text: TextInput, long: bool = False,
                    normalize: bool = False) -> Tensor:
        """Text embeddings.

        Args:
            text (Tensor | str | list[str]): Token ids ``(N, L)`` or captions
                (tokenised for the chosen path).
            long (bool): Long path (stretched positions, long projection, up
                to 248 tokens) instead of the short one (77). Defaults to False.
            normalize (bool): L2-normalise. Defaults to False.

        Returns:
            Tensor: ``(N, D)``, pooled at the first end-of-text token.
        """
        tokens = text if isinstance(text, Tensor) else self.tokenize(text, long)
        tower = self.text_tower
        if long:
            table = self.long_positional_embedding
            projection = self.long_text_projection
        else:
            table, projection = tower.positional_embedding, tower.text_projection
        # open_clip's CLIP prefixes these with text_, its TextTransformer not
        pool_type = getattr(tower, 'text_pool_type', None) or tower.pool_type
        eos_id = getattr(tower, 'text_eos_id', getattr(tower, 'eos_id', None))
        x = encode_text_tokens(tower, tokens, table, projection, pool_type,
                               eos_id, causal=self.causal_text)
        return _normalize(x, normalize)

    def encode_region_text(self, text: TextInput, normalize: bool = False) -> Tensor:
        """Region-caption embeddings: FG-CLIP matches regions with the short
        path (the counterpart of ``FGCLIP2.encode_region_text``)."""
        return self.encode_text(text, normalize=normalize)

    # ----------------------------------------------------------------- image
    def encode_image(self, images: Tensor, normalize: bool = False) -> Tensor:
        """Global image embeddings ``(B, D)`` of normalised ``(B, 3, H, W)``,
        at any input size (position tables resized)."""
        pooled = self.vision_trunk.features(images, with_pooled=True).pooled
        return _normalize(pooled, normalize)

    def encode_image_and_dense(self, images: Tensor,
                               normalize: bool = False) -> Tuple[Tensor, Tensor]:
        """Global and dense embeddings from one pass of the trunk.

        Args:
            images (Tensor): ``(B, 3, H, W)``, normalised.
            normalize (bool): L2-normalise both (dense along ``D``).
                Defaults to False.

        Returns:
            tuple[Tensor, Tensor]: ``(B, D)`` and ``(B, D, H / p, W / p)``.
        """
        features = self.vision_trunk.features(images, with_pooled=True,
                                              with_dense=True)
        return (_normalize(features.pooled, normalize),
                _normalize(features.dense, normalize, dim=1))

    def encode_dense(self, images: Tensor, normalize: bool = False) -> Tensor:
        """Dense embeddings ``(B, D, H / p, W / p)`` (channels first).

        The tower's dense path (:attr:`vision_trunk`): the input of the last
        block through that block with attention replaced by its value path,
        then the final norm and the projection (``ln_post`` and ``proj`` of a
        ViT, ``norm`` and the heads of EVA); the attention-pool head on every
        token of a SigLIP tower.

        Args:
            images (Tensor): ``(B, 3, H, W)``, normalised, any size.
            normalize (bool): L2-normalise along ``D``. Defaults to False.
        """
        dense = self.vision_trunk.features(images, with_dense=True).dense
        return _normalize(dense, normalize, dim=1)

    def pool_regions(self, dense: Tensor, boxes: Sequence[Tensor],
                     image_size: Tuple[int, int],
                     box_format: BoxFormat = 'pixel',
                     warn_clipped: bool = True) -> Tensor:
        """Region embeddings ``(sum N_i, D)`` from a dense map of this model.

        Args:
            dense (Tensor): ``(B, D, h, w)`` from :meth:`encode_dense`.
            boxes (Sequence[Tensor]): Per image ``(N_i, 4)`` xyxy boxes.
            image_size (tuple[int, int]): ``(H, W)`` of the input images.
            box_format (str): ``'pixel'`` or ``'normalized'`` (``[0, 1]``).
                Defaults to 'pixel'.
            warn_clipped (bool): Warn about boxes reaching outside the
                image (reads a count on the host once a call). Defaults to
                True.
        """
        return pool_regions(dense, boxes, image_size=image_size,
                            stride=self.patch_size, box_format=box_format,
                            warn_clipped=warn_clipped)

    def encode_regions(self, images: Tensor, boxes: Sequence[Tensor],
                       box_format: BoxFormat = 'pixel',
                       normalize: bool = False) -> Tensor:
        """Region embeddings: RoIAlign (1x1, aligned) of the dense map.

        Boxes outside the image are clipped (a warning counts them); no boxes
        give a ``(0, D)`` result.

        Args:
            images (Tensor): ``(B, 3, H, W)``, normalised.
            boxes (Sequence[Tensor]): ``B`` tensors ``(N_i, 4)``, xyxy.
            box_format (str): ``'pixel'`` or ``'normalized'``. Defaults to
                'pixel'.
            normalize (bool): L2-normalise. Defaults to False.

        Returns:
            Tensor: ``(sum N_i, D)``, image by image in box order.
        """
        dense = self.encode_dense(images)
        regions = self.pool_regions(dense, boxes, images.shape[-2:], box_format)
        return _normalize(regions, normalize)

    # ----------------------------------------------------------- checkpoints
    def load_checkpoint(self, path: str, prefix: str = '',
                        strict: bool = True) -> KeyReport:
        """Load a toolkit checkpoint of this architecture (see :meth:`save`)."""
        state_dict, _ = read_state_dict(path)
        report = load_state_dict_with_report(self, state_dict, prefix, strict)
        self.vision_trunk.clear_cache()
        return report

    def save(self, path: str, meta: Optional[dict] = None) -> None:
        """Write a toolkit checkpoint (``state_dict`` + ``meta`` with the config)."""
        meta = dict(meta or {}, model_name=self.model_name)
        save_checkpoint(self, path, self.build_cfg, meta)

    @classmethod
    def from_checkpoint(cls, path: str, strict: bool = True, **kwargs) -> 'FGCLIP':
        """Rebuild the model a toolkit checkpoint describes and load it.

        Args:
            path (str): ``.pth`` written by :meth:`save` or the converters.
            strict (bool): Require every key to match. Defaults to True.
            **kwargs: Extra constructor arguments (e.g. ``grad_checkpointing``).
        """
        state_dict, meta = read_state_dict(path)
        if META_CFG_KEY not in meta:
            raise KeyError(f'{path} has no meta[{META_CFG_KEY!r}]; it is not a '
                           'toolkit checkpoint of FGCLIP')
        model = cls(**meta[META_CFG_KEY], **kwargs)
        model.model_name = meta.get('model_name')
        load_state_dict_with_report(model, state_dict, strict=strict)
        return model
