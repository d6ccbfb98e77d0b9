"""FG-CLIP pretraining as an MMEngine model: the dual encoder and its losses."""
from typing import Dict, List, Literal, Optional, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmengine.structures import BaseDataElement
from torch import Tensor

from fgclip_det.models.clip.constants import LOGIT_SCALES, REGION_LOGIT_SCALES
from fgclip_det.registry import MODELS

from .base_contrastive_head import (
    BaseContrastiveHead,
    check_max_logit_scale,
    exp_logit_scale,
)
from .region_caption_logits import hard_negative_logits

ForwardResults = Union[Dict[str, Tensor], List[BaseDataElement]]


@MODELS.register_module()
class FGCLIPPretrainer(BaseModel):
    """Train an ``FGCLIP`` dual encoder with FG-CLIP's losses.

    Stage 1 configures only ``global_head``; stage 2 adds ``regional_head``
    and ``hard_negative_head`` (FG-CLIP: total = L_long + L_short +
    0.1 L_region + 0.5 L_hard, the heads' default weights). Each head's
    config holds its loss weights and the settings of its logit scale
    (:class:`BaseContrastiveHead`): which of the model's log-scales it uses
    (``logit_scale``, ``logit_scale_region``, ``logit_scale_hardneg`` by
    default), its cap (none by default: the public code,
    ``fgclip/model/clip_strc/fgclip.py``, ``FGCLIPModel.clip_loss`` /
    ``pairwise_contrastive_loss`` / ``hard_contrastive_loss``, uses
    ``logit_scale.exp()`` as it is) and whether it learns. The log-scales no
    configured head learns are frozen.

    The hard-negative loss scores each region against its short expression
    (``hard_positive_tokens``, see ``FGCLIPDataPreprocessor``) and its
    negatives, whichever region caption the regional loss uses.

    At the start of a training run, after ``load_from`` and never on resume,
    ``InitRegionScalesHook`` calls :meth:`init_region_scales`: with
    ``init_region_scales_from_global`` the region log-scales of the
    configured heads are set to the global one, as the public stage-2 script
    does (``fgclip/train/train_fgclip.py``, ``train()``).

    Args:
        clip (dict): Config of the ``FGCLIP`` model.
        global_head (dict, optional): Config of the image <-> caption loss.
            Defaults to ``dict(type='GlobalContrastiveHead')``.
        regional_head (dict, optional): Config of the region <-> region
            caption loss; None (the default) leaves it out.
        hard_negative_head (dict, optional): Config of the hard-negative
            loss; None (the default) leaves it out.
        max_logit_scale (float, optional): Cap of the heads whose config
            sets no ``max_logit_scale``. Defaults to None (no cap, as the
            public FG-CLIP code).
        init_region_scales_from_global (bool): Let
            :meth:`init_region_scales` set the region log-scales of the
            heads to the global one. Defaults to True (the public stage-2
            script); False keeps the loaded ones.
        data_preprocessor (dict, optional): Defaults to
            ``dict(type='FGCLIPDataPreprocessor')``.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 clip: dict,
                 *,
                 global_head: Optional[dict] = None,
                 regional_head: Optional[dict] = None,
                 hard_negative_head: Optional[dict] = None,
                 max_logit_scale: Optional[float] = None,
                 init_region_scales_from_global: bool = True,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            data_preprocessor=MODELS.build(
                data_preprocessor or dict(type='FGCLIPDataPreprocessor')),
            init_cfg=init_cfg)
        check_max_logit_scale(max_logit_scale)
        self.max_logit_scale = max_logit_scale
        self.init_region_scales_from_global = init_region_scales_from_global
        self.clip = MODELS.build(clip)
        self.global_head = self._build_head(
            global_head or dict(type='GlobalContrastiveHead'))
        self.regional_head = self._build_head(regional_head)
        self.hard_negative_head = self._build_head(hard_negative_head)
        self._freeze_unlearned_scales()

    def _build_head(self, cfg: Optional[dict]) -> Optional[BaseContrastiveHead]:
        """Build a head, its cap defaulting to :attr:`max_logit_scale`."""
        if cfg is None:
            return None
        if self.max_logit_scale is not None:
            cfg = dict(cfg)
            cfg.setdefault('max_logit_scale', self.max_logit_scale)
        return MODELS.build(cfg)

    @property
    def scaled_heads(self) -> List[BaseContrastiveHead]:
        """The configured heads, each with its logit scale."""
        return [head for head in (self.global_head, self.regional_head,
                                  self.hard_negative_head)
                if head is not None]

    def _freeze_unlearned_scales(self) -> None:
        """Train exactly the log-scales a head learns.

        A log-scale no head uses gets no gradient: freezing it keeps
        DistributedDataParallel from finding an unused parameter.
        """
        learn: Dict[str, bool] = {}
        for head in self.scaled_heads:
            name = head.logit_scale_name
            if learn.setdefault(name, head.learn_logit_scale) != \
                    head.learn_logit_scale:
                raise ValueError(f'the heads using {name} disagree on '
                                 'learn_logit_scale')
        for name in LOGIT_SCALES:
            getattr(self.clip, name).requires_grad_(learn.get(name, False))

    def forward(self,
                inputs: Tensor,
                data_samples: List[BaseDataElement],
                mode: Literal['loss', 'predict', 'tensor'] = 'tensor'
                ) -> ForwardResults:
        """Dispatch to :meth:`loss`, :meth:`predict` or :meth:`extract_feats`.

        Args:
            inputs (Tensor): Normalised images ``(B, 3, H, W)``.
            data_samples (list[BaseDataElement]): Samples with the fields of
                ``PackCLIPInputs`` and the tokens of
                ``FGCLIPDataPreprocessor``.
            mode (str): ``'loss'``, ``'predict'`` or ``'tensor'``.
        """
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.extract_feats(inputs, data_samples)
        raise ValueError(f"mode must be 'loss', 'predict' or 'tensor', got "
                         f'{mode!r}')

    def scale(self, log_scale: Tensor) -> Tensor:
        """``exp(log_scale)`` under the default cap, :attr:`max_logit_scale`."""
        return exp_logit_scale(log_scale, self.max_logit_scale)

    def head_loss(self, head: BaseContrastiveHead, *inputs: Tensor,
                  **kwargs) -> Dict[str, Tensor]:
        """``head.loss(*inputs, scale, **kwargs)`` with the head's scale of
        its log-scale, which is logged under the log-scale's name."""
        scale = head.scale(getattr(self.clip, head.logit_scale_name))
        losses = head.loss(*inputs, scale, **kwargs)
        losses[head.logit_scale_name] = scale.detach()
        return losses

    def region_scale_names(self) -> List[str]:
        """The region log-scales the configured heads use (regional, then
        hard-negative)."""
        names = [head.logit_scale_name for head in self.scaled_heads]
        return [name for name in REGION_LOGIT_SCALES if name in names]

    def init_region_scales(self) -> List[str]:
        """Set the heads' region log-scales to the global log-scale.

        Does nothing unless ``init_region_scales_from_global``; call it once
        the weights are loaded (``InitRegionScalesHook`` does, before the
        first training iteration of a run that is not resumed).

        Returns:
            list[str]: The names of the log-scales set.
        """
        if not self.init_region_scales_from_global:
            return []
        names = self.region_scale_names()
        self.clip.init_region_logit_scales(names)
        return names

    def extract_feats(self,
                      inputs: Tensor,
                      data_samples: List[BaseDataElement],
                      *,
                      regions: bool = True,
                      negatives: bool = True) -> Dict[str, Tensor]:
        """L2-normalised embeddings of a batch with ``M`` regions.

        Short captions go through the text tower in one pass, region
        captions and hard negatives in another, each padded to its own
        longest text (see ``FGCLIPDataPreprocessor``).

        Args:
            inputs (Tensor): Normalised images ``(B, 3, H, W)``.
            data_samples (list[BaseDataElement]): The batch's samples.
            regions (bool): Also embed regions and region captions.
                Defaults to True.
            negatives (bool): Also embed the hard negatives (needs
                ``regions``). Defaults to True.

        Returns:
            dict[str, Tensor]: ``image``, ``long_text``, ``short_text``
            ``(B, D)``; with ``regions``: ``region`` and ``region_text``
            ``(M, D)``; with ``negatives``: ``hard_positive_text``
            ``(M, D)`` (the caption the negatives rewrite),
            ``negative_text`` ``(M, K, D)`` and ``negative_mask``
            ``(M, K)``.
        """
        feats: Dict[str, Tensor] = {}
        if regions:
            image, dense = self.clip.encode_image_and_dense(inputs)
            boxes = [s.region_boxes for s in data_samples]
            # The data preprocessor clipped the boxes on the host.
            region = self.clip.pool_regions(dense, boxes, inputs.shape[-2:],
                                            warn_clipped=False)
            # With no box, an empty slice keeps the regions in the autograd
            # graph, so ranks that gather them run the same backward.
            feats['region'] = F.normalize(
                region if len(region) else image[:0], dim=-1)
        else:
            image = self.clip.encode_image(inputs)
        feats['image'] = F.normalize(image, dim=-1)
        feats['long_text'] = self.clip.encode_text(
            torch.stack([s.long_tokens for s in data_samples]),
            long=True,
            normalize=True)

        feats['short_text'] = self.clip.encode_text(
            torch.stack([s.short_tokens for s in data_samples]), normalize=True)
        if regions:
            feats.update(self._encode_region_texts(data_samples, negatives))
        return feats

    def _encode_region_texts(self, data_samples: List[BaseDataElement],
                             negatives: bool) -> Dict[str, Tensor]:
        """Region captions (and hard negatives) in one text-tower pass.

        They are a few words each and far more numerous than the captions,
        so they get their own pass, padded only to their own longest text.
        The hard-negative positives are the region captions, except those
        in ``hard_positive_tokens`` (see ``FGCLIPDataPreprocessor``).
        """
        region_tokens = torch.cat([s.region_tokens for s in data_samples])
        if not negatives:
            return dict(region_text=self.clip.encode_text(region_tokens,
                                                          normalize=True))
        positive_tokens = torch.cat(
            [s.hard_positive_tokens for s in data_samples])
        negative_tokens = torch.cat([s.negative_tokens for s in data_samples])
        texts = self.clip.encode_text(
            torch.cat([region_tokens, positive_tokens,
                       negative_tokens.flatten(0, 1)]),
            normalize=True)
        num_regions, num_positives = len(region_tokens), len(positive_tokens)
        region_text, positive_text, negative_text = texts.split([
            num_regions, num_positives,
            texts.shape[0] - num_regions - num_positives
        ])
        if num_positives:
            index = torch.cat([s.hard_positive_index for s in data_samples])
            hard_positive = texts[:num_regions + num_positives][index]
        else:
            hard_positive = region_text
        return dict(
            region_text=region_text,
            hard_positive_text=hard_positive,
            negative_text=negative_text.unflatten(0, negative_tokens.shape[:2]),
            negative_mask=torch.cat([s.negative_mask for s in data_samples]))

    def loss(self, inputs: Tensor,
             data_samples: List[BaseDataElement]) -> Dict[str, Tensor]:
        """The weighted losses of the configured heads.

        Returns:
            dict[str, Tensor]: ``loss_global_long``, ``loss_global_short``,
            and with stage-2 heads ``loss_region``, ``loss_hard_negative``;
            plus the logit scales in use (``logit_scale*``, logged only).
        """
        with_negatives = self.hard_negative_head is not None
        feats = self.extract_feats(
            inputs,
            data_samples,
            regions=with_negatives or self.regional_head is not None,
            negatives=with_negatives)
        losses = self.head_loss(self.global_head, feats['image'],
                                feats['long_text'], feats['short_text'])
        if self.regional_head is not None:
            losses.update(self.head_loss(self.regional_head, feats['region'],
                                         feats['region_text']))
        if self.hard_negative_head is not None:
            losses.update(self.head_loss(
                self.hard_negative_head, feats['region'],
                feats['hard_positive_text'], feats['negative_text'],
                negative_mask=feats['negative_mask']))
        return losses

    def predict(self, inputs: Tensor,
                data_samples: List[BaseDataElement]) -> List[BaseDataElement]:
        """Embeddings and region rankings for evaluation.

        Returns:
            list[BaseDataElement]: ``data_samples`` with ``image_embedding``,
            ``long_text_embedding``, ``short_text_embedding`` ``(D,)`` and
            ``region_scores`` ``(N_i, 1 + K)``: the cosine similarity of each
            region to the caption its hard negatives rewrite (column 0; its
            region caption when it has none) and to its hard negatives,
            ``-inf`` at padding.
        """
        feats = self.extract_feats(inputs, data_samples)
        scores = hard_negative_logits(
            feats['region'], feats['hard_positive_text'],
            feats['negative_text'], negative_mask=feats['negative_mask'])
        return self.add_predictions(data_samples, feats, scores)

    @staticmethod
    def add_predictions(data_samples: List[BaseDataElement],
                        feats: Dict[str, Tensor],
                        region_scores: Tensor) -> List[BaseDataElement]:
        """Set the embeddings of :meth:`predict` and each sample's rows of
        ``region_scores`` ``(sum N_i, 1 + K)`` on the samples."""
        counts = [len(s.region_tokens) for s in data_samples]
        for i, (sample, sample_scores) in enumerate(
                zip(data_samples, region_scores.split(counts))):
            sample.image_embedding = feats['image'][i]
            sample.long_text_embedding = feats['long_text'][i]
            sample.short_text_embedding = feats['short_text'][i]
            sample.region_scores = sample_scores
        return data_samples
