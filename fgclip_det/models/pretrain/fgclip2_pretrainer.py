"""FG-CLIP 2 stage-2 pretraining as an MMEngine model."""
import logging
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from mmengine.logging import print_log
from mmengine.structures import BaseDataElement
from torch import Tensor

from fgclip_det.registry import MODELS
from fgclip_det.structures import NaFlexBatch

from .fgclip2_data_preprocessor import FGCLIP2DataPreprocessor
from .fgclip_pretrainer import FGCLIPPretrainer
from .region_caption_logits import region_caption_logits


@MODELS.register_module()
class FGCLIP2Pretrainer(FGCLIPPretrainer):
    """Train an ``FGCLIP2`` with FG-CLIP 2's stage-2 losses.

    Public code ``fgclip2/model/strcs/fgclip2.py``,
    ``FG_CLIP2_Model.forward``: total = ``L_long + L_short``
    (:class:`SigLIPGlobalHead`, shared ``logit_scale`` / ``logit_bias``,
    captions of all ranks as negatives) + 0.2 region ITC
    (``RegionalContrastiveHead``, scale ``exp(logit_scale_region)``) + 0.1
    TIC on the region-caption embeddings (:class:`TextualIntraContrastiveLoss`)
    + 0.5 hard negatives (:class:`FGCLIP2HardNegativeHead`, scale
    ``exp(logit_scale_hardneg)``), the weights and scale settings being the
    heads' configs.

    Region features: RoIAlign of each image's dense map on its own grid at
    the GT boxes (``FGCLIP2.pool_regions``, normalised boxes), L2-normalised;
    region captions, hard-negative positives and negatives go through the
    box walk (``boxtext_head``) in one text-tower pass, without attention
    mask. The hard-negative loss uses the features of the regions that have
    negatives.

    The public code wraps the regional terms in a bare ``try / except:
    pass``; here every failure raises. A batch without any box (or without
    any box with negatives) gives those terms 0, still in the autograd
    graph, as the public code skips them then; such training batches are
    counted in :attr:`num_batches_without` (``'regions'``,
    ``'hard_negatives'``) and the first of each kind is logged.

    The stage-2 log-scales are ``FGCLIP2``'s ``logit_scale_region`` /
    ``logit_scale_hardneg``, which start at log(100) as the public training
    adds them (``train_fgclip2.py``: ``log_scale = 4.6052``); they are not
    copied from the global scale (that is FG-CLIP v1's recipe, so
    ``InitRegionScalesHook`` does nothing here).

    Args:
        clip (dict): Config of the ``FGCLIP2`` model.
        global_head (dict, optional): Defaults to
            ``dict(type='SigLIPGlobalHead')``.
        textual_intra_loss (dict, optional): TIC; None leaves it out.
        data_preprocessor (dict, optional): Defaults to
            ``dict(type='FGCLIP2DataPreprocessor')``; gets the model's
            tokenizer and must have its patch size.
        **kwargs: ``regional_head`` (region ITC), ``hard_negative_head``,
            ``max_logit_scale`` and ``init_cfg`` of
            :class:`FGCLIPPretrainer`.
    """

    def __init__(self,
                 clip: dict,
                 *,
                 global_head: Optional[dict] = None,
                 textual_intra_loss: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 **kwargs) -> None:
        super().__init__(
            clip,
            global_head=global_head or dict(type='SigLIPGlobalHead'),
            init_region_scales_from_global=False,
            data_preprocessor=data_preprocessor or dict(
                type='FGCLIP2DataPreprocessor'),
            **kwargs)
        self.textual_intra_loss = (MODELS.build(textual_intra_loss)
                                   if textual_intra_loss is not None else None)
        if not isinstance(self.data_preprocessor, FGCLIP2DataPreprocessor):
            raise TypeError(f'FGCLIP2Pretrainer needs an FGCLIP2DataPreprocessor'
                            f', got {type(self.data_preprocessor).__name__}')
        patch = self.clip.patch_size[0]
        if self.data_preprocessor.patch_size != patch:
            raise ValueError(
                f'data_preprocessor.patch_size={self.data_preprocessor.patch_size}'
                f' differs from the model patch size {patch}')
        self.data_preprocessor.set_tokenizer(self.clip.tokenizer)
        self.num_batches_without = dict(regions=0, hard_negatives=0)

    @property
    def with_regions(self) -> bool:
        """Whether a configured loss reads regions."""
        return any(head is not None for head in (
            self.regional_head, self.textual_intra_loss,
            self.hard_negative_head))

    def extract_feats(self,
                      inputs: NaFlexBatch,
                      data_samples: List[BaseDataElement],
                      *,
                      regions: bool = True,
                      negatives: bool = True) -> Dict[str, Tensor]:
        """L2-normalised embeddings of a batch with ``M`` regions, ``E`` of
        them with ``K`` hard negatives.

        Returns:
            dict[str, Tensor]: ``image``, ``long_text``, ``short_text``
            ``(B, D)``; with ``regions``: ``region`` and ``region_text``
            ``(M, D)``; with ``negatives``: ``hard_text`` ``(E, 1 + K, D)``
            (the short expression, then the negatives) and ``hard_index``
            ``(E,)`` (their rows of ``region``).
        """
        feats: Dict[str, Tensor] = {}
        if regions:
            image, dense = self.clip.encode_image_and_dense(inputs)
            boxes = [s.norm_region_boxes for s in data_samples]
            # The data preprocessor clipped the boxes on the host.
            region = self.clip.pool_regions(dense, boxes, (1.0, 1.0),
                                            box_format='normalized',
                                            warn_clipped=False)
            # With no box, an empty slice of a dense map keeps the dense
            # head in the graph, so every rank runs the same backward.
            feats['region'] = F.normalize(
                region if len(region) else dense[0].flatten(1).t()[:0], dim=-1)
            feats.update(self._encode_region_texts(data_samples, negatives))
        else:
            image = self.clip.encode_image(inputs)
        feats['image'] = F.normalize(image, dim=-1)
        feats['long_text'] = self.clip.encode_text(
            torch.stack([s.long_tokens for s in data_samples]), walk='long',
            normalize=True)
        feats['short_text'] = self.clip.encode_text(
            torch.stack([s.short_tokens for s in data_samples]), walk='short',
            normalize=True)
        return feats

    def _encode_region_texts(self, data_samples: List[BaseDataElement],
                             negatives: bool) -> Dict[str, Tensor]:
        """Region captions (and the hard-negative texts) in one box walk."""
        region_tokens = torch.cat([s.region_tokens for s in data_samples])
        if not negatives:
            return dict(region_text=self.clip.encode_text(
                region_tokens, walk='box', normalize=True))
        hard_tokens = torch.cat([s.hard_tokens for s in data_samples])
        texts = self.clip.encode_text(
            torch.cat([region_tokens, hard_tokens.flatten(0, 1)]), walk='box',
            normalize=True)
        region_text, hard_text = texts.split(
            [len(region_tokens), texts.shape[0] - len(region_tokens)])
        offsets, start = [], 0
        for sample in data_samples:
            offsets.append(sample.hard_index + start)
            start += len(sample.region_tokens)
        return dict(region_text=region_text,
                    hard_text=hard_text.unflatten(0, hard_tokens.shape[:2]),
                    hard_index=torch.cat(offsets))

    def _count_empty(self, kind: str, count: int) -> None:
        """Count (and first log) a training batch without ``kind``."""
        if count or not self.training:
            return
        if self.num_batches_without[kind] == 0:
            print_log(f'FGCLIP2Pretrainer: a batch without {kind}; their '
                      'losses are 0 there (further cases are counted in '
                      'num_batches_without)', logger='current',
                      level=logging.WARNING)
        self.num_batches_without[kind] += 1

    def loss(self, inputs: NaFlexBatch,
             data_samples: List[BaseDataElement]) -> Dict[str, Tensor]:
        """The weighted losses of the configured heads.

        Returns:
            dict[str, Tensor]: ``loss_global_long``, ``loss_global_short``
            and, as configured, ``loss_region``, ``loss_textual_intra``,
            ``loss_hard_negative``; plus, logged only, the scales and bias
            in use and the CMR threshold of the step.
        """
        with_negatives = self.hard_negative_head is not None
        feats = self.extract_feats(inputs, data_samples,
                                   regions=self.with_regions,
                                   negatives=with_negatives)
        losses = self.head_loss(self.global_head, feats['image'],
                                feats['long_text'], feats['short_text'],
                                logit_bias=self.clip.logit_bias)
        losses['logit_bias'] = self.clip.logit_bias.detach()
        if self.with_regions:
            self._count_empty('regions', len(feats['region']))
        if self.regional_head is not None:
            losses.update(self.head_loss(self.regional_head, feats['region'],
                                         feats['region_text']))
        if self.textual_intra_loss is not None:
            losses['loss_textual_intra'] = self.textual_intra_loss(
                feats['region_text'])
        if with_negatives:
            self._count_empty('hard_negatives', len(feats['hard_index']))
            threshold = self.hard_negative_head.cmr_threshold.clone()
            losses.update(self.head_loss(
                self.hard_negative_head, feats['region'][feats['hard_index']],
                feats['hard_text']))
            losses['cmr_threshold'] = threshold
        return losses

    def predict(self, inputs: NaFlexBatch,
                data_samples: List[BaseDataElement]) -> List[BaseDataElement]:
        """Embeddings and region rankings for ``FineGrainedRankingMetric``.

        Returns:
            list[BaseDataElement]: ``data_samples`` with ``image_embedding``,
            ``long_text_embedding``, ``short_text_embedding`` ``(D,)`` and
            ``region_scores`` ``(N_i, 1 + K)``: the cosine similarity of
            each region with negatives to its short expression (column 0)
            and its negatives; a region without negatives has its region
            caption in column 0 and ``-inf`` after it.
        """
        feats = self.extract_feats(inputs, data_samples)
        region, index = feats['region'], feats['hard_index']
        scores = region.new_full((len(region), feats['hard_text'].shape[1]),
                                 float('-inf'))
        scores[:, 0] = (region * feats['region_text']).sum(-1)
        scores[index] = region_caption_logits(region[index], feats['hard_text'])
        return self.add_predictions(data_samples, feats, scores)
