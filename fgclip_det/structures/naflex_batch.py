"""A batch of variable-resolution images as padded patch sequences (NaFlex).

SigLIP 2's NaFlex towers (and FG-CLIP 2) read each image at its own patch
grid: the image is resized so that its grid fits a patch budget, cut into
patches (row-major), and the batch is padded to a common length with a mask.
"""
from dataclasses import dataclass
from typing import List, Tuple, Union

import torch
from torch import Tensor


@dataclass
class NaFlexBatch:
    """Patches, grids and padding mask of ``B`` images.

    Attributes:
        patches (Tensor): ``(B, N, p * p * C)`` flattened patches, each as
            (row in patch, column in patch, channel) with the channel
            fastest; rows past an image's grid are zero padding.
        spatial_shapes (Tensor): ``(B, 2)`` int64 patch grid ``(h, w)`` of
            each image; its first ``h * w`` rows are cells ``(r, c)`` at
            row ``r * w + c``.
        mask (Tensor): ``(B, N)`` bool, True for real patches.
    """

    patches: Tensor
    spatial_shapes: Tensor
    mask: Tensor

    def __post_init__(self) -> None:
        if self.patches.ndim != 3:
            raise ValueError('patches must be (B, N, p * p * C), got shape '
                             f'{tuple(self.patches.shape)}')
        batch, num = self.patches.shape[:2]
        if tuple(self.spatial_shapes.shape) != (batch, 2):
            raise ValueError(f'spatial_shapes must be ({batch}, 2), got '
                             f'{tuple(self.spatial_shapes.shape)}')
        if tuple(self.mask.shape) != (batch, num):
            raise ValueError(f'mask must be ({batch}, {num}), got '
                             f'{tuple(self.mask.shape)}')
        self.mask = self.mask.bool()
        self.spatial_shapes = self.spatial_shapes.long()

    def __len__(self) -> int:
        return self.patches.shape[0]

    @property
    def device(self) -> torch.device:
        return self.patches.device

    def to(self, *args, **kwargs) -> 'NaFlexBatch':
        """Move to a device; a dtype applies to ``patches`` only."""
        device_only = {key: value for key, value in kwargs.items()
                       if key != 'dtype'}
        device_args = [arg for arg in args if not isinstance(arg, torch.dtype)]
        return NaFlexBatch(self.patches.to(*args, **kwargs),
                           self.spatial_shapes.to(*device_args, **device_only),
                           self.mask.to(*device_args, **device_only))

    def grids(self) -> List[Tuple[int, int]]:
        """The ``(h, w)`` grid of each image as Python ints (one host read)."""
        return [tuple(shape) for shape in self.spatial_shapes.tolist()]

    def patch_coord(self) -> Tensor:
        """``(B, N, 2)`` int64 ``(row, column)`` of every patch; padding
        rows get ``(0, 0)`` (timm's NaFlex layout)."""
        num = self.patches.shape[1]
        index = torch.arange(num, device=self.device)[None]
        width = self.spatial_shapes[:, 1:2].clamp(min=1)
        coord = torch.stack([index // width, index % width], dim=-1)
        return coord * self.mask[..., None]

    def check_grids(self) -> None:
        """Raise a ValueError where a grid disagrees with the mask."""
        cells = self.spatial_shapes.prod(dim=1)
        real = self.mask.sum(dim=1)
        bad = (cells != real).nonzero().flatten().tolist()
        if bad:
            raise ValueError(
                f'NaFlexBatch image {bad[0]}: spatial_shapes '
                f'{self.spatial_shapes[bad[0]].tolist()} give '
                f'{int(cells[bad[0]])} patches but the mask marks '
                f'{int(real[bad[0]])}')


#: What the FG-CLIP 2 image encoders take.
ImageInput = Union[Tensor, NaFlexBatch]
