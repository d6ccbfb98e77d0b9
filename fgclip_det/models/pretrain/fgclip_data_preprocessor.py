"""Batch FG-CLIP pretraining samples: normalise images, tokenise texts."""
import warnings
from typing import List, Sequence, Tuple, Union

import torch
from mmengine.model import BaseDataPreprocessor
from mmengine.structures import BaseDataElement
from torch import Tensor
from torchvision.ops import clip_boxes_to_image

from fgclip_det.registry import MODELS

from ..clip.constants import (
    CLIP_MEAN,
    CLIP_STD,
    LONG_CONTEXT_LENGTH,
    SHORT_CONTEXT_LENGTH,
)
from ..clip.tokenizer import FGCLIPTokenizer

#: CLIP's mean / std on the 0-255 scale of ``uint8`` inputs.
PIXEL_MEAN = tuple(255 * m for m in CLIP_MEAN)
PIXEL_STD = tuple(255 * s for s in CLIP_STD)


def trim_padding_columns(*tokens: Tensor) -> Tuple[Tensor, ...]:
    """Cut token ids after the last column any of them reaches.

    Args:
        *tokens (Tensor): Zero-padded host ids ``(..., L)`` of one length ``L``,
            each text ending with its end-of-text token (non-zero).

    Returns:
        tuple[Tensor]: The same tensors cut to ``(..., L')``, ``L'`` the
        position after the last non-zero id (at least 1).
    """
    used = torch.zeros(tokens[0].shape[-1], dtype=torch.bool)
    for ids in tokens:
        if ids.numel():
            used |= (ids != 0).flatten(0, -2).any(0)
    positions = used.nonzero()
    length = int(positions[-1]) + 1 if len(positions) else 1
    return tuple(ids[..., :length] for ids in tokens)


def clip_region_boxes(samples: Sequence[BaseDataElement],
                      image_size: Union[Tuple[int, int],
                                        Sequence[Tuple[int, int]]]) -> int:
    """Clip the host ``region_boxes`` of ``samples`` to their images, in place.

    Boxes come from the data pipeline in pixels of the ``(H, W)`` input;
    one reaching outside it is clipped and counted, and a warning gives the
    count of the batch.

    Args:
        samples (Sequence[BaseDataElement]): Samples with ``region_boxes``.
        image_size: ``(H, W)`` of every image, or one ``(H, W)`` per sample
            (variable-size NaFlex inputs).

    Returns:
        int: How many boxes were clipped.
    """
    shared = len(image_size) == 2 and all(
        isinstance(side, int) for side in image_size)
    sizes = [tuple(image_size)] * len(samples) if shared else list(image_size)
    if len(sizes) != len(samples):
        raise ValueError(f'{len(sizes)} image sizes for {len(samples)} samples')
    num_clipped = num_boxes = 0
    for sample, size in zip(samples, sizes):
        boxes = torch.as_tensor(sample.region_boxes).reshape(-1, 4).float()
        clipped = clip_boxes_to_image(boxes, size)
        num_clipped += int((clipped != boxes).any(1).sum())
        num_boxes += len(boxes)
        sample.region_boxes = clipped
    if num_clipped:
        where = ('the {}x{} images'.format(*sizes[0]) if shared else
                 'their images')
        warnings.warn(f'{num_clipped} of {num_boxes} region boxes of the batch '
                      f'reach outside {where} and were clipped to them',
                      stacklevel=2)
    return num_clipped


def tokenize_texts(tokenizer, texts: List[str], long: bool = False) -> Tensor:
    """Host token ids ``(len(texts), L)`` of the short or long path; an
    empty ``(0, L)`` for no text.

    Args:
        tokenizer: ``FGCLIPTokenizer`` or ``FGCLIP2Tokenizer`` (both have
            ``context_length(long)`` and ``__call__(texts, long)``).
        texts (list[str]): The texts.
        long (bool): The long path. Defaults to False.
    """
    if not texts:
        return torch.zeros(0, tokenizer.context_length(long), dtype=torch.long)
    return tokenizer(texts, long=long)


@MODELS.register_module()
class FGCLIPDataPreprocessor(BaseDataPreprocessor):
    """Stack and normalise images; tokenise captions, regions and negatives.

    Expects batches of :class:`~fgclip_det.datasets.transforms.PackCLIPInputs`
    outputs collated by ``pseudo_collate``. Adds to every data sample:

    - ``long_tokens`` ``(long_length,)``: the long caption's ids;
    - ``short_tokens`` ``(short_length,)``: the short caption's ids;
    - ``region_tokens`` ``(N_i, short_length)``: the region captions' ids;
    - ``hard_positive_tokens`` ``(E_i, short_length)`` and
      ``hard_positive_index`` ``(N_i,)``: a region's hard negatives are
      scored against its ``region_short_texts`` entry (the ``short_expr``
      they rewrite; defaults to its region caption). Where the region has
      negatives and that text differs from its region caption (the long
      expression was drawn), it is tokenised in ``hard_positive_tokens``.
      ``hard_positive_index`` is, per region, the row of that text among the
      region captions of the whole batch followed by the
      ``hard_positive_tokens`` of the whole batch, in sample order (the row
      of its own region caption when it needs no extra text);
    - ``negative_tokens`` ``(N_i, K, short_length)`` and ``negative_mask``
      ``(N_i, K)``: the hard negatives, padded to the largest count ``K`` in
      the batch (``K = 0`` when no region has negatives); the mask is False
      at padding.

    With ``trim_padding`` the token fields keep only the columns that some
    text of the batch reaches: the long captions are cut to the longest of
    them, the short captions to theirs, and region captions and negatives
    (a few words each, and most of the texts; they share one pass through
    the text tower with the hard-negative positives) to theirs. This changes
    no embedding: CLIP's text tower is causal and pools at the end-of-text
    token, so the padding after it never reaches the pooled feature. It
    saves most of the text tower's work, as captions are far shorter than 77
    or 248 tokens.

    Args:
        mean (Sequence[float]): Per-channel mean of ``uint8`` RGB inputs.
            Defaults to CLIP's (times 255).
        std (Sequence[float]): Per-channel std. Defaults to CLIP's (times
            255).
        short_length (int): Tokens of the short text path. Defaults to 77.
        long_length (int): Tokens of the long text path. Defaults to 248.
        non_blocking (bool): Copy to the device without blocking. Defaults
            to False.
    """

    def __init__(self,
                 *,
                 mean: Sequence[float] = PIXEL_MEAN,
                 std: Sequence[float] = PIXEL_STD,
                 short_length: int = SHORT_CONTEXT_LENGTH,
                 long_length: int = LONG_CONTEXT_LENGTH,
                 trim_padding: bool = True,
                 non_blocking: bool = False) -> None:
        super().__init__(non_blocking)
        self.register_buffer('mean', torch.tensor(mean).view(-1, 1, 1), False)
        self.register_buffer('std', torch.tensor(std).view(-1, 1, 1), False)
        self.tokenizer = FGCLIPTokenizer(short_length, long_length)
        self.trim_padding = trim_padding

    def forward(self, data: dict, training: bool = False) -> dict:
        """Batch the output of the dataloader.

        Everything that reads values (tokenisation, trimming the padding,
        clipping region boxes) runs on the host before one transfer to the
        device, so a batch never makes the host wait for the device.

        Args:
            data (dict): ``inputs``: ``B`` uint8 tensors ``(3, H, W)`` of one
                size; ``data_samples``: their ``B`` data samples.
            training (bool): Unused; the same in training and evaluation.

        Returns:
            dict: ``inputs`` (float ``(B, 3, H, W)``, normalised) and the
            ``data_samples`` with their token fields.
        """
        inputs, samples = data['inputs'], data['data_samples']
        shapes = sorted({tuple(img.shape) for img in inputs})
        if len(shapes) != 1:
            raise ValueError(f'the images of a batch must share one size '
                             f'(resize them to a square), got {shapes}')
        clip_region_boxes(samples, shapes[0][-2:])
        self.add_tokens(samples)
        images = self.cast_data(torch.stack(list(inputs)))
        return dict(inputs=(images.float() - self.mean) / self.std,
                    data_samples=self.cast_data(samples))

    def tokenize(self, texts: List[str], long: bool = False) -> Tensor:
        """Token ids ``(len(texts), L)`` on the host."""
        return tokenize_texts(self.tokenizer, texts, long)

    @staticmethod
    def hard_positives(samples: Sequence[BaseDataElement]
                       ) -> Tuple[List[List[str]], Tensor]:
        """The hard-negative positives not already among the region captions.

        Returns:
            tuple[list[list[str]], Tensor]: Per sample the texts to embed
            apart, and the batch-wide ``hard_positive_index`` (see the
            class docstring).
        """
        num_regions = sum(len(s.region_texts) for s in samples)
        extra: List[List[str]] = []
        index: List[int] = []
        num_extra = row = 0
        for sample in samples:
            shorts = sample.get('region_short_texts', sample.region_texts)
            if len(shorts) != len(sample.region_texts):
                raise ValueError(
                    f'a sample has {len(sample.region_texts)} region_texts '
                    f'but {len(shorts)} region_short_texts')
            texts = []
            for text, short, negs in zip(sample.region_texts, shorts,
                                         sample.region_negatives):
                if negs and short != text:
                    index.append(num_regions + num_extra + len(texts))
                    texts.append(short)
                else:
                    index.append(row)
                row += 1
            num_extra += len(texts)
            extra.append(texts)
        return extra, torch.tensor(index, dtype=torch.long)

    def add_tokens(self, samples: Sequence[BaseDataElement]) -> None:
        """Set the token fields of ``samples`` in place, as host tensors."""
        counts = [len(s.region_texts) for s in samples]
        negatives = [n for s in samples for n in s.region_negatives]
        extra, positive_index = self.hard_positives(samples)
        positives = self.tokenize([t for texts in extra for t in texts])
        num_negs = max((len(n) for n in negatives), default=0)
        padded = [n[i] if i < len(n) else '' for n in negatives
                  for i in range(num_negs)]
        negative_mask = torch.tensor(
            [[i < len(n) for i in range(num_negs)] for n in negatives],
            dtype=torch.bool).view(len(negatives), num_negs)
        negative_tokens = self.tokenize(padded).view(
            len(negatives), num_negs, self.tokenizer.context_length())
        long = self.tokenize([s.long_caption for s in samples], long=True)
        short = self.tokenize([s.short_caption for s in samples])
        regions = self.tokenize([t for s in samples for t in s.region_texts])
        if self.trim_padding:
            (long, ) = trim_padding_columns(long)
            (short, ) = trim_padding_columns(short)
            regions, positives, negative_tokens = trim_padding_columns(
                regions, positives, negative_tokens)
        for i, (sample, region, positive, index, negs, mask) in enumerate(
                zip(samples, regions.split(counts),
                    positives.split([len(t) for t in extra]),
                    positive_index.split(counts), negative_tokens.split(counts),
                    negative_mask.split(counts))):
            sample.long_tokens = long[i]
            sample.short_tokens = short[i]
            sample.region_tokens = region
            sample.hard_positive_tokens = positive
            sample.hard_positive_index = index
            sample.negative_tokens = negs
            sample.negative_mask = mask
