"""Region embeddings: RoIAlign (1x1, aligned) of a dense CLIP map at boxes."""
import warnings
from typing import Literal, Sequence, Tuple

import torch
from torch import Tensor
from torchvision.ops import clip_boxes_to_image, roi_align

BoxFormat = Literal['pixel', 'normalized']
BOX_FORMATS = ('pixel', 'normalized')


def boxes_to_grid(boxes: Sequence[Tensor], image_size: Tuple[int, int],
                  stride: Tuple[float, float],
                  box_format: BoxFormat) -> Tuple[Tensor, Tensor]:
    """Clip boxes to the image and express them in feature-grid units.

    Only tensor operations with Python scalars: nothing reads the boxes on
    the host, so on a GPU this does not wait for the device.

    Args:
        boxes (Sequence[Tensor]): Per image, ``(N_i, 4)`` xyxy boxes.
        image_size (tuple[int, int]): Input ``(H, W)`` in pixels.
        stride (tuple[float, float]): Pixels per grid cell ``(sy, sx)``.
        box_format (str): ``'pixel'`` (absolute) or ``'normalized'`` (in
            ``[0, 1]`` of the image size).

    Returns:
        tuple[Tensor, Tensor]: RoIs ``(sum N_i, 5)`` as ``(batch_index, x1,
        y1, x2, y2)`` in grid units, and a bool ``(sum N_i,)``: True for the
        boxes that had to be clipped.
    """
    if box_format not in BOX_FORMATS:
        raise ValueError(f'box_format must be one of {BOX_FORMATS}, '
                         f'got {box_format!r}')
    height, width = image_size
    if box_format == 'pixel':
        limit = (height, width)
        scale_x, scale_y = 1 / stride[1], 1 / stride[0]
    else:
        limit = (1.0, 1.0)
        scale_x, scale_y = width / stride[1], height / stride[0]
    per_image = [torch.as_tensor(b).reshape(-1, 4).float() for b in boxes]
    if not per_image:
        return torch.zeros(0, 5), torch.zeros(0, dtype=torch.bool)
    flat = torch.cat(per_image)
    clipped = clip_boxes_to_image(flat, limit)
    batch_index = torch.cat([b.new_full((len(b), 1), i)
                             for i, b in enumerate(per_image)])
    to_grid = torch.stack([clipped[:, 0::2] * scale_x, clipped[:, 1::2] * scale_y],
                          dim=2).reshape(-1, 4)
    return torch.cat([batch_index, to_grid], 1), (clipped != flat).any(1)


def pool_regions(dense: Tensor, boxes: Sequence[Tensor], *,
                 image_size: Tuple[int, int], stride: Tuple[float, float],
                 box_format: BoxFormat = 'pixel',
                 warn_clipped: bool = True) -> Tensor:
    """Region embeddings from a dense map.

    Boxes are clipped to the image; RoIAlign uses a 1x1 output,
    ``aligned=True`` and an adaptive sampling ratio.

    Args:
        dense (Tensor): ``(B, D, h, w)`` dense embeddings.
        boxes (Sequence[Tensor]): ``B`` tensors ``(N_i, 4)``, xyxy.
        image_size (tuple[int, int]): ``(H, W)`` of the input images.
        stride (tuple[float, float]): Pixels per cell of ``dense``
            ``(sy, sx)``, the patch size of a ViT.
        box_format (str): ``'pixel'`` or ``'normalized'``. Defaults to
            'pixel'.
        warn_clipped (bool): Count the boxes that reach outside the image
            and warn when there are any. The count is read on the host, so
            on a GPU it waits for the device once a call; callers whose boxes
            were checked on the host (training batches) turn it off.
            Defaults to True.

    Returns:
        Tensor: ``(sum N_i, D)`` in the order of the boxes.
    """
    if len(boxes) != dense.shape[0]:
        raise ValueError(f'{len(boxes)} box lists for {dense.shape[0]} images')
    rois, clipped = boxes_to_grid(boxes, image_size, stride, box_format)
    if len(rois) == 0:
        return dense.new_zeros(0, dense.shape[1])
    if warn_clipped:
        num_clipped = int(clipped.sum())
        if num_clipped:
            warnings.warn(f'{num_clipped} of {len(rois)} boxes reach outside '
                          'the image and were clipped to it', stacklevel=2)
    pooled = roi_align(dense.float(), rois.to(dense.device), output_size=1,
                       spatial_scale=1.0, sampling_ratio=-1, aligned=True)
    return pooled.flatten(1).to(dense.dtype)
