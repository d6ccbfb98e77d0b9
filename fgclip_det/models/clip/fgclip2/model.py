"""FG-CLIP 2: the bilingual SigLIP 2 successor of FG-CLIP.

FG-CLIP 2 (Xie et al., 2025, arXiv 2510.10921) pairs a NaFlex SigLIP 2 image
tower (variable resolution and aspect ratio) with a trained dense-feature
head, and a bidirectional Gemma-vocabulary text tower with three heads:
short captions (``text_model.head``), region captions (``boxtext_head``)
and long captions (``longtext_head``, with FG-CLIP's stretched position
tables). Scores are sigmoid: ``sigmoid(exp(logit_scale) * cos + logit_bias)``.
"""
import copy
import math
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.logging import print_log
from torch import Tensor, nn

from fgclip_det.registry import MODELS
from fgclip_det.structures import NaFlexBatch
from fgclip_det.structures.naflex_batch import ImageInput

from ..checkpoint import (
    META_CFG_KEY,
    load_state_dict_with_report,
    read_state_dict,
    save_checkpoint,
)
from ..constants import REGION_LOGIT_SCALES
from ..key_map import KeyReport
from ..long_text_positions import stretch_position_table
from ..region_pool import BoxFormat, pool_regions
from ..text_tower import encode_text_tokens
from .arch import ARCH_PRESETS
from .hf_layout import hf_dir_arch, hf_dir_tokenizer, load_hf_state_dict
from .text import WALKS, build_text_transformer
from .tokenizer import FGCLIP2Tokenizer, read_tokenizer_files
from .trunk import FGCLIP2Trunk
from .vision_tower import FGCLIP2VisionTower

TextInput = Union[Tensor, str, List[str]]
#: Start of the regional and hard-negative log-scales: the public training
#: code adds them at log(100) (``train_fgclip2.py``: ``logit_scale_finegraind``,
#: ``logit_scale_hardneg``); they are not in the released files.
REGION_LOGIT_SCALE_INIT = math.log(100)


def _normalize(x: Tensor, normalize: bool, dim: int = -1) -> Tensor:
    return F.normalize(x, dim=dim) if normalize else x


def _per_image_sizes(image_size, count: int) -> List[Tuple[float, float]]:
    """One ``(H, W)`` for every image from a shared size or a per-image list."""
    if len(image_size) == 2 and all(isinstance(v, (int, float)) for v in image_size):
        return [tuple(image_size)] * count
    sizes = [tuple(size) for size in image_size]
    if len(sizes) != count:
        raise ValueError(f'{len(sizes)} image sizes for {count} images')
    return sizes


@MODELS.register_module()
class FGCLIP2(nn.Module):
    """The FG-CLIP 2 dual encoder.

    Weights: ``pretrained`` reads a released checkpoint folder
    (``config.json`` + ``model.safetensors`` + ``tokenizer.json``, converted
    through an explicit key map, nothing executed; its sizes replace
    ``arch``); ``checkpoint`` loads a toolkit checkpoint of this class.

    Args:
        arch (str | dict): A preset of :data:`~.arch.ARCH_PRESETS`
            (``'base'``, ``'large'``, ``'so400m'``) or a dict with ``vision``
            and ``text`` sizes (:func:`~.arch.arch_from_hf_config`).
            Defaults to 'base'.
        pretrained (str, optional): A released FG-CLIP 2 folder.
        checkpoint (str, optional): A toolkit checkpoint of this model.
        tokenizer_file (str, optional): The Gemma ``tokenizer.json``;
            defaults to the one in ``pretrained``. Toolkit checkpoints carry
            the tokenizer they were saved with (:meth:`save`).
        tokenizer_spec (dict, optional): A tokenizer as data
            (:func:`~.tokenizer.read_tokenizer_files`) instead of a file.
        text_attention_mask (bool): Hide padding from attention when
            captions are given as strings (as the public evaluation and
            README do; training passes none). Defaults to True.
        grad_checkpointing (bool): Gradient checkpointing of both towers.
    """

    def __init__(self,
                 arch: Union[str, dict] = 'base',
                 *,
                 pretrained: Optional[str] = None,
                 checkpoint: Optional[str] = None,
                 tokenizer_file: Optional[str] = None,
                 tokenizer_spec: Optional[dict] = None,
                 text_attention_mask: bool = True,
                 grad_checkpointing: bool = False) -> None:
        super().__init__()
        if pretrained and checkpoint:
            raise ValueError('give pretrained (a released FG-CLIP 2 folder) or '
                             'checkpoint (toolkit weights), not both')
        if pretrained:
            arch = hf_dir_arch(pretrained)
            tokenizer_file = tokenizer_file or hf_dir_tokenizer(pretrained)
        self.arch = self._resolve_arch(arch)
        vision, text = self.arch['vision'], self.arch['text']
        self.visual = FGCLIP2VisionTower(**vision)
        self.text = build_text_transformer(text)
        long_table = stretch_position_table(
            self.text.positional_embedding.detach(), keep=text['keep_len'])
        if len(long_table) != text['long_context_length']:
            raise ValueError(
                f'long_context_length={text["long_context_length"]} is not the '
                f'stretched length {len(long_table)} of {text["context_length"]} '
                f'positions keeping {text["keep_len"]}')
        self.long_position_ori = nn.Parameter(long_table.clone())
        self.long_position_res = nn.Parameter(long_table.clone())
        self.box_text_projection = copy.deepcopy(self.text.text_projection)
        self.long_text_projection = copy.deepcopy(self.text.text_projection)
        self.visual.dense_head.load_state_dict(self.visual.trunk.attn_pool.state_dict())
        # SigLIP's initial temperature and bias (log 10, -10)
        self.logit_scale = nn.Parameter(torch.full((1,), math.log(10.0)))
        self.logit_bias = nn.Parameter(torch.full((1,), -10.0))
        for name in REGION_LOGIT_SCALES:
            setattr(self, name,
                    nn.Parameter(torch.full((1,), REGION_LOGIT_SCALE_INIT)))
        self.tokenizer_file = tokenizer_file
        self.tokenizer_spec = tokenizer_spec
        self.text_attention_mask = text_attention_mask
        self._tokenizer: Optional[FGCLIP2Tokenizer] = None
        self.vision_trunk = FGCLIP2Trunk(self.visual)
        self.set_grad_checkpointing(grad_checkpointing)
        if pretrained:
            report = load_hf_state_dict(self, pretrained)
            print_log(f'FG-CLIP 2 weights from {pretrained}: {report}',
                      logger='current')
        if checkpoint:
            self.load_checkpoint(checkpoint)

    @staticmethod
    def _resolve_arch(arch: Union[str, dict]) -> dict:
        if isinstance(arch, str):
            if arch not in ARCH_PRESETS:
                raise ValueError(f'unknown FG-CLIP 2 arch {arch!r}; presets: '
                                 f'{sorted(ARCH_PRESETS)}, or give a dict')
            return copy.deepcopy(ARCH_PRESETS[arch])
        missing = {'vision', 'text'} - set(arch)
        if missing:
            raise ValueError(f'arch needs vision and text sizes; missing {missing}')
        return dict(vision=dict(arch['vision']), text=dict(arch['text']))

    # ------------------------------------------------------------ properties
    @property
    def embed_dim(self) -> int:
        """Width ``D`` of every embedding (the vision width)."""
        return self.arch['vision']['width']

    @property
    def patch_size(self) -> Tuple[int, int]:
        """Patch size ``(p, p)``: the stride of the dense map."""
        patch = self.arch['vision']['patch_size']
        return patch, patch

    @property
    def scoring(self) -> str:
        """Always ``'sigmoid'``: FG-CLIP 2 is trained with the SigLIP loss."""
        return 'sigmoid'

    @property
    def build_cfg(self) -> dict:
        """Constructor arguments that rebuild this architecture (no weights)."""
        return dict(arch=copy.deepcopy(self.arch),
                    text_attention_mask=self.text_attention_mask)

    def match_scores(self, queries: Tensor, keys: Tensor) -> Tensor:
        """``sigmoid(exp(s) * cos + b)`` of L2-normalised ``(N, D)``,
        ``(M, D)`` embeddings: ``(N, M)`` probabilities."""
        cosine = queries @ keys.t()
        return torch.sigmoid(self.logit_scale.exp() * cosine + self.logit_bias)

    def set_grad_checkpointing(self, enable: bool = True) -> None:
        """Switch gradient checkpointing of both towers."""
        self.visual.set_grad_checkpointing(enable)
        self.text.set_grad_checkpointing(enable)

    def no_weight_decay(self) -> set:
        """Parameter names conventionally excluded from weight decay."""
        names = {'visual.trunk.' + name for name in self.visual.trunk.no_weight_decay()}
        return names | {'logit_scale', 'logit_bias', *REGION_LOGIT_SCALES,
                        'text.positional_embedding', 'long_position_ori',
                        'long_position_res', 'visual.dense_head.latent'}

    # ------------------------------------------------------------------ text
    @property
    def tokenizer(self) -> FGCLIP2Tokenizer:
        """The Gemma tokenizer of :attr:`tokenizer_file`, built on first use."""
        if self._tokenizer is None:
            text = self.arch['text']
            self._tokenizer = FGCLIP2Tokenizer(
                self.read_tokenizer_spec(), short_length=text['context_length'],
                long_length=text['long_context_length'])
        return self._tokenizer

    def read_tokenizer_spec(self) -> dict:
        """The tokenizer as data (:func:`~.tokenizer.read_tokenizer_files`),
        read from :attr:`tokenizer_file` on first use."""
        if self.tokenizer_spec is None:
            if not self.tokenizer_file:
                raise ValueError('FG-CLIP 2 needs tokenizer_file (the released '
                                 "folder's tokenizer.json) to read captions")
            self.tokenizer_spec = read_tokenizer_files(self.tokenizer_file)
        return self.tokenizer_spec

    def tokenize(self, texts: Union[str, List[str]], long: bool = False
                 ) -> Tuple[Tensor, Tensor]:
        """Token ids and attention mask ``(N, 64 or 196)`` on the model's device."""
        ids, mask = self.tokenizer.encode(texts, long=long)
        device = self.logit_scale.device
        return ids.to(device), mask.to(device)

    def encode_text(self, text: TextInput, long: bool = False,
                    normalize: bool = False, walk: Optional[str] = None,
                    attention_mask: Optional[Tensor] = None) -> Tensor:
        """Text embeddings.

        Args:
            text (Tensor | str | list[str]): Token ids ``(N, L)`` or captions
                (lowercased, tokenised and padded to the path's length).
            long (bool): The long path; same as ``walk='long'``.
            normalize (bool): L2-normalise. Defaults to False.
            walk (str, optional): ``'short'``, ``'box'`` or ``'long'``;
                defaults to 'long' if ``long`` else 'short'.
            attention_mask (Tensor, optional): ``(N, L)`` for ids; for
                captions the tokenizer's mask is used when
                :attr:`text_attention_mask`.

        Returns:
            Tensor: ``(N, D)``, the final-normed last position through the
            walk's head.
        """
        walk = walk or ('long' if long else 'short')
        if walk not in WALKS:
            raise ValueError(f'walk must be one of {WALKS}, got {walk!r}')
        if not isinstance(text, Tensor):
            text, mask = self.tokenize(text, long=walk == 'long')
            attention_mask = mask if self.text_attention_mask else None
        keep = self.arch['text']['keep_len']
        if walk == 'long':
            table = torch.cat([self.long_position_ori[:keep],
                               self.long_position_res[keep:]])
        else:
            table = self.text.positional_embedding
        head = dict(short=self.text.text_projection, box=self.box_text_projection,
                    long=self.long_text_projection)[walk]
        x = encode_text_tokens(self.text, text, table, head, pool_type='last',
                               causal=False, attention_mask=attention_mask)
        return _normalize(x, normalize)

    def encode_region_text(self, text: TextInput, normalize: bool = False) -> Tensor:
        """Region-caption embeddings (the box walk and ``boxtext_head``)."""
        return self.encode_text(text, normalize=normalize, walk='box')

    # ----------------------------------------------------------------- image
    def _tokens(self, images: ImageInput):
        x, mask, grids = self.visual.embed(images)
        return self.visual.blocks(x, mask), mask, grids

    def encode_image(self, images: ImageInput, normalize: bool = False) -> Tensor:
        """``(B, D)`` image embeddings (the MAP head, no projection).

        Args:
            images (Tensor | NaFlexBatch): ``(B, 3, H, W)`` normalised with
                mean = std = 0.5 (one grid), or a NaFlex batch.
            normalize (bool): L2-normalise. Defaults to False.
        """
        x, mask, _ = self._tokens(images)
        return _normalize(self.visual.pool(x, mask), normalize)

    def dense_tokens(self, images: ImageInput) -> Tensor:
        """``(B, N, D)`` dense features, one row per token (padding rows
        included); not normalised."""
        x, mask, _ = self._tokens(images)
        return self.visual.dense(x, mask)

    def encode_image_and_dense(self, images: ImageInput, normalize: bool = False):
        """Image embeddings and dense maps from one pass (see
        :meth:`encode_dense` for the dense layout)."""
        x, mask, grids = self._tokens(images)
        pooled = _normalize(self.visual.pool(x, mask), normalize)
        return pooled, self._dense_maps(self.visual.dense(x, mask), grids,
                                        isinstance(images, NaFlexBatch), normalize)

    def encode_dense(self, images: ImageInput, normalize: bool = False):
        """Dense maps, channels first.

        Returns:
            Tensor | list[Tensor]: ``(B, D, h, w)`` for an image tensor; for
            a NaFlex batch one ``(D, h_i, w_i)`` map per image on its own grid.
        """
        x, mask, grids = self._tokens(images)
        return self._dense_maps(self.visual.dense(x, mask), grids,
                                isinstance(images, NaFlexBatch), normalize)

    @staticmethod
    def _dense_maps(tokens: Tensor, grids: Sequence[Tuple[int, int]],
                    per_image: bool, normalize: bool):
        maps = [row[:h * w].t().unflatten(-1, (h, w))
                for row, (h, w) in zip(tokens, grids)]
        maps = [_normalize(m, normalize, dim=0) for m in maps]
        return maps if per_image else torch.stack(maps)

    def pool_regions(self, dense, boxes: Sequence[Tensor],
                     image_size, box_format: BoxFormat = 'pixel',
                     warn_clipped: bool = True) -> Tensor:
        """Region embeddings ``(sum N_i, D)``: RoIAlign (1x1, aligned,
        adaptive sampling) of each image's map on its own grid.

        Args:
            dense (Tensor | list[Tensor]): From :meth:`encode_dense`.
            boxes (Sequence[Tensor]): Per image ``(N_i, 4)`` xyxy.
            image_size: ``(H, W)`` of all images, or one per image (the
                original image sizes for a NaFlex batch and pixel boxes).
            box_format (str): ``'pixel'`` or ``'normalized'``.
            warn_clipped (bool): Warn about boxes outside the image.
        """
        if isinstance(dense, Tensor):
            return pool_regions(dense, boxes, image_size=tuple(image_size),
                                stride=self.patch_size, box_format=box_format,
                                warn_clipped=warn_clipped)
        if len(boxes) != len(dense):
            raise ValueError(f'{len(boxes)} box lists for {len(dense)} images')
        sizes = _per_image_sizes(image_size, len(dense))
        pooled = []
        for feature, image_boxes, (height, width) in zip(dense, boxes, sizes):
            grid_h, grid_w = feature.shape[-2:]
            stride = (height / grid_h, width / grid_w)
            if box_format == 'normalized':
                stride = (1.0 / grid_h, 1.0 / grid_w)
                height = width = 1.0
            pooled.append(pool_regions(
                feature[None], [image_boxes], image_size=(height, width),
                stride=stride, box_format='pixel', warn_clipped=warn_clipped))
        if not pooled:
            return self.logit_scale.new_zeros(0, self.embed_dim)
        return torch.cat(pooled)

    def encode_regions(self, images: ImageInput, boxes: Sequence[Tensor],
                       box_format: BoxFormat = 'pixel', normalize: bool = False,
                       image_sizes=None) -> Tensor:
        """Region embeddings of boxes (pixels of ``image_sizes``, the input
        size by default, or normalised)."""
        dense = self.encode_dense(images)
        if image_sizes is None:
            if isinstance(images, NaFlexBatch):
                image_sizes = [(h * self.patch_size[0], w * self.patch_size[1])
                               for h, w in images.grids()]
            else:
                image_sizes = images.shape[-2:]
        regions = self.pool_regions(dense, boxes, image_sizes, box_format)
        return _normalize(regions, normalize)

    def forward(self, images: ImageInput, text: TextInput) -> Tensor:
        """``(B, T)`` logits per image: ``exp(logit_scale) * cos + logit_bias``
        of image and short-text embeddings (the released model's forward)."""
        image = self.encode_image(images, normalize=True)
        text = self.encode_text(text, normalize=True)
        return self.logit_scale.exp() * image @ text.t() + self.logit_bias

    # ----------------------------------------------------------- checkpoints
    def load_checkpoint(self, path: str, prefix: str = '',
                        strict: bool = True) -> KeyReport:
        """Load a toolkit checkpoint of this architecture (see :meth:`save`)."""
        state_dict, _ = read_state_dict(path)
        return load_state_dict_with_report(self, state_dict, prefix, strict)

    def save(self, path: str, meta: Optional[dict] = None) -> None:
        """Write a toolkit checkpoint: ``state_dict`` and ``meta`` with the
        config and the tokenizer (as data, when the model has one)."""
        cfg = self.build_cfg
        if self.tokenizer_spec is not None or self.tokenizer_file:
            cfg['tokenizer_spec'] = self.read_tokenizer_spec()
        save_checkpoint(self, path, cfg, dict(meta or {}, model_type='FGCLIP2'))

    @classmethod
    def from_checkpoint(cls, path: str, strict: bool = True,
                        tokenizer_file: Optional[str] = None, **kwargs) -> 'FGCLIP2':
        """Rebuild the model a toolkit checkpoint describes and load it.

        Args:
            path (str): ``.pth`` written by :meth:`save` or the converter.
            strict (bool): Require every key to match. Defaults to True.
            tokenizer_file (str, optional): Replaces the tokenizer it carries.
            **kwargs: Extra constructor arguments.
        """
        state_dict, meta = read_state_dict(path)
        if META_CFG_KEY not in meta or meta.get('model_type') != 'FGCLIP2':
            raise KeyError(f'{path} is not a toolkit checkpoint of FGCLIP2 (no '
                           f"meta[{META_CFG_KEY!r}] with model_type 'FGCLIP2')")
        cfg = dict(meta[META_CFG_KEY])
        if tokenizer_file:
            cfg.pop('tokenizer_spec', None)
        model = cls(**cfg, tokenizer_file=tokenizer_file, **kwargs)
        load_state_dict_with_report(model, state_dict, strict=strict)
        return model
