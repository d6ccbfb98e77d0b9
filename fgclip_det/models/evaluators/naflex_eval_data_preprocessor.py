"""Batch NaFlex-resized images into a NaFlexBatch for evaluating FG-CLIP 2."""
from typing import Optional

import torch
from mmengine.model import BaseDataPreprocessor

from fgclip_det.datasets.transforms.naflex_patchify import naflex_collate
from fgclip_det.datasets.transforms.naflex_resize import NaFlexResize
from fgclip_det.registry import MODELS


@MODELS.register_module()
class NaFlexEvalDataPreprocessor(BaseDataPreprocessor):
    """FG-CLIP 2's native input: each image on its own patch grid.

    Each image is resized to its patch budget (``resize``, FG-CLIP 2's
    processor: :class:`NaFlexResize`, boxes in ``gt_instances.bboxes``
    following it, as :class:`CLIPEvalDataPreprocessor` does for square
    input), or arrives resized by a pipeline's ``NaFlexResize``
    (``resize=None``). It is then normalised with mean = std = 0.5, cut into
    patches and padded into one :class:`~fgclip_det.structures.NaFlexBatch`
    (:func:`naflex_collate`).

    Args:
        patch_size (int): Patch side in pixels, the model's. Defaults to 16.
        resize (dict, optional): :class:`NaFlexResize` arguments besides
            ``patch_size``, e.g. ``dict(dynamic_max_patches=True)``.
            Defaults to None: the images are resized already.
        max_num_patches (int, optional): Padded length ``N``. None (the
            default) takes the dynamic bucket of the batch's largest grid;
            padding is masked, so it changes no embedding.
        non_blocking (bool): Copy to the device without blocking. Defaults
            to False.
    """

    def __init__(self,
                 patch_size: int = 16,
                 max_num_patches: Optional[int] = None,
                 *,
                 resize: Optional[dict] = None,
                 non_blocking: bool = False) -> None:
        super().__init__(non_blocking)
        if patch_size < 1:
            raise ValueError(f'patch_size must be positive, got {patch_size}')
        self.patch_size = patch_size
        self.max_num_patches = max_num_patches
        self.resize = (NaFlexResize(patch_size=patch_size, **resize)
                       if resize is not None else None)

    def forward(self, data: dict, training: bool = False) -> dict:
        """Patchify a batch.

        Args:
            data (dict): ``inputs``: ``B`` uint8 RGB tensors ``(3, H_i, W_i)``
                (sides multiples of ``patch_size`` unless ``resize``);
                ``data_samples``.
            training (bool): Unused.

        Returns:
            dict: ``inputs`` (a NaFlexBatch on the model's device) and the
            ``data_samples`` as they came.
        """
        if self.resize is not None:
            pairs = zip(data['inputs'], data['data_samples'])
            data = dict(data, inputs=[self.resize_sample(*pair) for pair in pairs])
        data = self.cast_data(data)
        inputs = naflex_collate(data['inputs'], self.patch_size,
                                self.max_num_patches)
        return dict(inputs=inputs, data_samples=data['data_samples'])

    def resize_sample(self, image: torch.Tensor, sample) -> torch.Tensor:
        """``image`` (``(3, H, W)`` uint8, on the CPU) resized to its patch
        budget; the sample's boxes and ``img_shape`` follow it."""
        instances = sample.get('gt_instances')
        boxes = instances.get('bboxes') if instances is not None else None
        as_tensor = isinstance(boxes, torch.Tensor)  # else mmdet boxes, in place
        results = self.resize(dict(
            img=image.permute(1, 2, 0).contiguous().numpy(),
            gt_bboxes=boxes.cpu().numpy() if as_tensor else boxes))
        if as_tensor:
            instances.bboxes = boxes.new_tensor(results['gt_bboxes'])
        sample.set_metainfo(dict(img_shape=results['img_shape']))
        return torch.from_numpy(results['img']).permute(2, 0, 1).contiguous()
