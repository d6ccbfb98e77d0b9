"""Batch FG-CLIP 2 pretraining samples: NaFlex patches, full-length token ids."""
from typing import List, Optional, Sequence, Tuple

import torch
from mmengine.model import BaseDataPreprocessor
from mmengine.structures import BaseDataElement

from fgclip_det.datasets.finehard_record import FINEHARD_NUM_NEGATIVES
from fgclip_det.datasets.transforms import naflex_collate
from fgclip_det.registry import MODELS

from ..clip.fgclip2.tokenizer import FGCLIP2Tokenizer
from .fgclip_data_preprocessor import clip_region_boxes, tokenize_texts


def normalize_region_boxes(samples: Sequence[BaseDataElement],
                           image_sizes: Sequence[Tuple[int, int]]) -> None:
    """Set ``norm_region_boxes``: each sample's pixel ``region_boxes``
    divided by its image's ``(W, H, W, H)``, in place."""
    for sample, (height, width) in zip(samples, image_sizes):
        scale = sample.region_boxes.new_tensor([width, height, width, height])
        sample.norm_region_boxes = sample.region_boxes / scale


@MODELS.register_module()
class FGCLIP2DataPreprocessor(BaseDataPreprocessor):
    """Patchify NaFlex-resized images; tokenise captions, regions, negatives.

    Expects batches of :class:`~fgclip_det.datasets.transforms.PackCLIPInputs`
    outputs of images resized by ``NaFlexResize``, collated by
    ``pseudo_collate``. The images become one
    :class:`~fgclip_det.structures.NaFlexBatch` (:func:`naflex_collate`:
    ``(x / 255 - 0.5) / 0.5``, each image on its own grid, padded to
    ``max_num_patches`` or, when None, to the bucket of the batch's largest
    grid as the public training collator does, ``train_fgclip2.py``,
    ``DataCollatorForSupervisedDataset``). Adds to every data sample:

    - ``long_tokens`` ``(long_length,)`` and ``short_tokens``
      ``(short_length,)``: the captions' ids;
    - ``norm_region_boxes`` ``(N_i, 4)``: the region boxes (clipped to the
      image) as xyxy fractions of its width and height;
    - ``region_tokens`` ``(N_i, short_length)``: the region captions (for
      the box walk);
    - ``hard_tokens`` ``(E_i, 1 + K, short_length)`` and ``hard_index``
      ``(E_i,)``: for each region with hard negatives, its
      ``region_short_texts`` entry (the ``short_expr`` they rewrite) then
      its ``K`` negatives, and which of the sample's regions it is.

    Every text is lowercased and padded with ``<pad>`` to the path's full
    length (64 short / box, 196 long) and no attention mask is made, as the
    public training does (``train_fgclip2.py``: ``padding="max_length"``,
    only ``input_ids`` kept): the text tower attends to the padding and
    pools the last position. The ``"a photo of "`` prefix of short captions
    comes from ``PackCLIPInputs(short_caption_prefix=...)`` in the pipeline,
    as in FG-CLIP's recipe.

    The tokenizer is the model's: ``FGCLIP2Pretrainer`` hands its
    ``FGCLIP2.tokenizer`` (the released folder's ``tokenizer.json``, or the
    one a toolkit checkpoint carries) to :meth:`set_tokenizer` once built,
    so captions get exactly the ids and lengths the model reads.

    Args:
        patch_size (int): Patch side in pixels; must be the model's.
            Defaults to 16.
        max_num_patches (int, optional): Rows of every batch. None (the
            default) pads to the bucket of the batch's largest grid.
        num_negatives (int): Hard negatives every region with negatives
            must have (``K``). Defaults to 10 (FineHARD; the public loss
            reshapes each box's texts to ``1 + 10``, ``fgclip2.py``,
            ``hard_contrastive_total_loss``).
        non_blocking (bool): Copy to the device without blocking. Defaults
            to False.
    """

    def __init__(self,
                 *,
                 patch_size: int = 16,
                 max_num_patches: Optional[int] = None,
                 num_negatives: int = FINEHARD_NUM_NEGATIVES,
                 non_blocking: bool = False) -> None:
        super().__init__(non_blocking)
        if num_negatives < 1:
            raise ValueError(f'num_negatives must be >= 1, got {num_negatives}')
        self.patch_size = patch_size
        self.max_num_patches = max_num_patches
        self.num_negatives = num_negatives
        self._tokenizer: Optional[FGCLIP2Tokenizer] = None

    @property
    def tokenizer(self) -> FGCLIP2Tokenizer:
        """The tokenizer given to :meth:`set_tokenizer`."""
        if self._tokenizer is None:
            raise RuntimeError(
                'FGCLIP2DataPreprocessor has no tokenizer: FGCLIP2Pretrainer '
                "sets its model's; standalone, call set_tokenizer()")
        return self._tokenizer

    def set_tokenizer(self, tokenizer: FGCLIP2Tokenizer) -> None:
        """Use ``tokenizer`` (it must lowercase, as FG-CLIP 2's training)."""
        if not tokenizer.lowercase:
            raise ValueError('FG-CLIP 2 is trained on lowercased captions; '
                             'give a tokenizer with lowercase=True')
        self._tokenizer = tokenizer

    def forward(self, data: dict, training: bool = False) -> dict:
        """Batch the output of the dataloader on the host, then move it.

        Args:
            data (dict): ``inputs``: ``B`` uint8 tensors ``(3, H_i, W_i)``,
                sides multiples of ``patch_size``; ``data_samples``: their
                ``B`` data samples.
            training (bool): Unused; the same in training and evaluation.

        Returns:
            dict: ``inputs`` (a :class:`NaFlexBatch`) and the
            ``data_samples`` with their token and box fields.
        """
        inputs, samples = list(data['inputs']), data['data_samples']
        if len(inputs) != len(samples):
            raise ValueError(f'{len(inputs)} images for {len(samples)} samples')
        images = naflex_collate(inputs, self.patch_size, self.max_num_patches)
        sizes = [tuple(image.shape[-2:]) for image in inputs]
        clip_region_boxes(samples, sizes)
        normalize_region_boxes(samples, sizes)
        self.add_tokens(samples)
        return dict(inputs=images.to(self.device, non_blocking=self._non_blocking),
                    data_samples=self.cast_data(samples))

    def hard_negative_texts(self, sample: BaseDataElement
                            ) -> Tuple[List[str], List[int]]:
        """The ``1 + K`` box-walk texts of each region with negatives and
        the indices of those regions (see the class docstring)."""
        num = len(sample.region_texts)
        shorts = sample.get('region_short_texts', sample.region_texts)
        if len(shorts) != num or len(sample.region_negatives) != num:
            raise ValueError(
                f'a sample has {num} region_texts but {len(shorts)} '
                f'region_short_texts and {len(sample.region_negatives)} '
                'region_negatives')
        texts: List[str] = []
        index: List[int] = []
        for i, (short, negatives) in enumerate(zip(shorts,
                                                   sample.region_negatives)):
            if not negatives:
                continue
            if len(negatives) != self.num_negatives:
                raise ValueError(
                    f'region {i} of {sample.get("img_path", "a sample")} has '
                    f'{len(negatives)} hard negatives, not num_negatives='
                    f'{self.num_negatives} (FineHARDDataset(num_negatives=...) '
                    'keeps only complete sets)')
            texts += [short, *negatives]
            index.append(i)
        return texts, index

    def add_tokens(self, samples: Sequence[BaseDataElement]) -> None:
        """Set the token fields of ``samples`` in place, as host tensors."""
        tokenizer = self.tokenizer
        long = tokenize_texts(tokenizer, [s.long_caption for s in samples], True)
        short = tokenize_texts(tokenizer, [s.short_caption for s in samples])
        regions = tokenize_texts(
            tokenizer, [t for s in samples for t in s.region_texts])
        hard = [self.hard_negative_texts(s) for s in samples]
        hard_tokens = tokenize_texts(
            tokenizer, [t for texts, _ in hard for t in texts]).view(
                -1, 1 + self.num_negatives, tokenizer.context_length())
        for i, (sample, region, negs, (_, index)) in enumerate(
                zip(samples, regions.split([len(s.region_texts) for s in samples]),
                    hard_tokens.split([len(index) for _, index in hard]), hard)):
            sample.long_tokens = long[i]
            sample.short_tokens = short[i]
            sample.region_tokens = region
            sample.hard_tokens = negs
            sample.hard_index = torch.tensor(index, dtype=torch.long)

