"""Batch NaFlex-resized images into a NaFlexBatch for evaluating FG-CLIP 2."""
from typing import Optional

from mmengine.model import BaseDataPreprocessor

from fgclip_det.datasets.transforms.naflex_patchify import naflex_collate
from fgclip_det.registry import MODELS


@MODELS.register_module()
class NaFlexEvalDataPreprocessor(BaseDataPreprocessor):
    """FG-CLIP 2's native input: each image on its own patch grid.

    The images arrive resized by the pipeline's ``NaFlexResize`` (boxes in
    ``gt_instances.bboxes`` already follow it); here they are normalised
    with mean = std = 0.5, cut into patches and padded into one
    :class:`~fgclip_det.structures.NaFlexBatch` (:func:`naflex_collate`).

    Args:
        patch_size (int): Patch side in pixels, the model's. Defaults to 16.
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
                 non_blocking: bool = False) -> None:
        super().__init__(non_blocking)
        if patch_size < 1:
            raise ValueError(f'patch_size must be positive, got {patch_size}')
        self.patch_size = patch_size
        self.max_num_patches = max_num_patches

    def forward(self, data: dict, training: bool = False) -> dict:
        """Patchify a batch.

        Args:
            data (dict): ``inputs``: ``B`` uint8 RGB tensors ``(3, H_i, W_i)``
                with sides multiples of ``patch_size``; ``data_samples``.
            training (bool): Unused.

        Returns:
            dict: ``inputs`` (a NaFlexBatch on the model's device) and the
            ``data_samples`` as they came.
        """
        data = self.cast_data(data)
        inputs = naflex_collate(data['inputs'], self.patch_size,
                                self.max_num_patches)
        return dict(inputs=inputs, data_samples=data['data_samples'])
