"""Region embeddings: RoIAlign (1x1, aligned) of a dense CLIP map at boxes."""
import warnings
from typing import List, Literal, Sequence, Tuple

import torch
from torch import Tensor
from torchvision.ops import roi_align

BoxFormat = Literal['pixel', 'normalized']
BOX_FORMATS = ('pixel', 'normalized')


def boxes_to_grid(boxes: Sequence[Tensor], image_size: Tuple[int, int],
                  stride: Tuple[float, float],
                  box_format: BoxFormat) -> Tuple[Tensor, int]:
    """Clip boxes to the image and express them in feature-grid units.

    Args:
        boxes (Sequence[Tensor]): Per image, ``(N_i, 4)`` xyxy boxes.
        image_size (tuple[int, int]): Input ``(H, W)`` in pixels.
        stride (tuple[float, float]): Pixels per grid cell ``(sy, sx)``.
        box_format (str): ``'pixel'`` (absolute) or ``'normalized'`` (in
            ``[0, 1]`` of the image size).

    Returns:
        tuple[Tensor, int]: RoIs ``(sum N_i, 5)`` as ``(batch_index, x1, y1,
        x2, y2)`` in grid units, and how many boxes had to be clipped.
    """
    if box_format not in BOX_FORMATS:
        raise ValueError(f'box_format must be one of {BOX_FORMATS}, '
                         f'got {box_format!r}')
    height, width = image_size
    if box_format == 'pixel':
        limit = (width, height, width, height)
        to_grid = (1 / stride[1], 1 / stride[0]) * 2
    else:
        limit = (1.0, 1.0, 1.0, 1.0)
        to_grid = (width / stride[1], height / stride[0]) * 2
    rois: List[Tensor] = []
    num_clipped = 0
    for index, image_boxes in enumerate(boxes):
        image_boxes = torch.as_tensor(image_boxes).reshape(-1, 4).float()
        upper = image_boxes.new_tensor(limit)
        clipped = torch.minimum(image_boxes.clamp(min=0), upper)
        num_clipped += int((clipped != image_boxes).any(dim=1).sum())
        batch_index = clipped.new_full((len(clipped), 1), index)
        rois.append(torch.cat([batch_index, clipped * clipped.new_tensor(to_grid)], 1))
    return torch.cat(rois) if rois else torch.zeros(0, 5), num_clipped


def pool_regions(dense: Tensor, boxes: Sequence[Tensor], *,
                 image_size: Tuple[int, int], stride: Tuple[float, float],
                 box_format: BoxFormat = 'pixel') -> Tensor:
    """Region embeddings from a dense map.

    Boxes are clipped to the image (a warning counts them); RoIAlign uses a
    1x1 output, ``aligned=True`` and an adaptive sampling ratio.

    Args:
        dense (Tensor): ``(B, D, h, w)`` dense embeddings.
        boxes (Sequence[Tensor]): ``B`` tensors ``(N_i, 4)``, xyxy.
        image_size (tuple[int, int]): ``(H, W)`` of the input images.
        stride (tuple[float, float]): Pixels per cell of ``dense``
            ``(sy, sx)``, the patch size of a ViT.
        box_format (str): ``'pixel'`` or ``'normalized'``. Defaults to
            'pixel'.

    Returns:
        Tensor: ``(sum N_i, D)`` in the order of the boxes.
    """
    if len(boxes) != dense.shape[0]:
        raise ValueError(f'{len(boxes)} box lists for {dense.shape[0]} images')
    rois, num_clipped = boxes_to_grid(boxes, image_size, stride, box_format)
    if num_clipped:
        warnings.warn(f'{num_clipped} of {len(rois)} boxes reach outside the '
                      'image and were clipped to it', stacklevel=2)
    if len(rois) == 0:
        return dense.new_zeros(0, dense.shape[1])
    pooled = roi_align(dense.float(), rois.to(dense.device), output_size=1,
                       spatial_scale=1.0, sampling_ratio=-1, aligned=True)
    return pooled.flatten(1).to(dense.dtype)
