"""Cut NaFlex-resized images into padded patch sequences (a NaFlexBatch)."""
from typing import Optional, Sequence

import torch
from torch import Tensor

from fgclip_det.structures import NaFlexBatch

from .naflex_resize import naflex_patch_budget


def patchify(image: Tensor, patch_size: int) -> Tensor:
    """Cut a ``(C, H, W)`` image into ``(h * w, p * p * C)`` patches.

    Patches in row-major grid order, each flattened as (row in patch,
    column in patch, channel) with the channel fastest, as SigLIP 2.

    Raises:
        ValueError: If the image is not 3-D or ``H`` or ``W`` is not a
            multiple of ``patch_size``.
    """
    if image.ndim != 3:
        raise ValueError('image must be (C, H, W), got shape '
                         f'{tuple(image.shape)}')
    channels, height, width = image.shape
    if patch_size < 1 or height % patch_size or width % patch_size:
        raise ValueError(
            f'image size {height}x{width} must be a multiple of a positive '
            f'patch_size, got patch_size {patch_size}')
    rows, cols = height // patch_size, width // patch_size
    grid = image.reshape(channels, rows, patch_size, cols, patch_size)
    return grid.permute(1, 3, 2, 4, 0).reshape(rows * cols, -1)


def naflex_collate(images: Sequence[Tensor],
                   patch_size: int,
                   max_num_patches: Optional[int],
                   mean: Sequence[float] = (0.5, 0.5, 0.5),
                   std: Sequence[float] = (0.5, 0.5, 0.5)) -> NaFlexBatch:
    """Normalise, patchify and pad NaFlex-resized images into a batch.

    Each image becomes ``(x / 255 - mean) / std`` in float32 (bit-identical
    to transformers' ``Siglip2ImageProcessor``), is cut by :func:`patchify`
    and zero-padded to ``N`` rows.

    Args:
        images (Sequence[Tensor]): ``(3, H, W)`` uint8 or float images with
            values 0..255, sides multiples of ``patch_size`` (the output of
            ``NaFlexResize``).
        patch_size (int): Patch side in pixels.
        max_num_patches (int, optional): ``N``. None takes the dynamic
            bucket (:func:`naflex_patch_budget`) of the batch's largest
            (resized) grid. FG-CLIP 2's training collator pads to the bucket
            of the largest raw image and also resizes every image to it;
            here each image keeps the size ``NaFlexResize`` gave it.
        mean (Sequence[float]): Per-channel mean. Defaults to 0.5 each.
        std (Sequence[float]): Per-channel std. Defaults to 0.5 each.

    Returns:
        NaFlexBatch: float32 ``(B, N, p * p * 3)`` patches, ``(B, 2)`` grids
        ``(h, w)``, ``(B, N)`` mask (True for real patches).

    Raises:
        ValueError: For no images, an image of the wrong shape, or an image
            with more than ``N`` patches (naming its index).
    """
    if not images:
        raise ValueError('naflex_collate needs at least one image, got none')
    for index, image in enumerate(images):
        if image.ndim != 3 or image.shape[0] != len(mean):
            raise ValueError(f'image {index} must be ({len(mean)}, H, W), '
                             f'got shape {tuple(image.shape)}')
    if max_num_patches is None:
        num = max(naflex_patch_budget(image.shape[1], image.shape[2],
                                      patch_size) for image in images)
        source = 'the batch max bucket'
    elif max_num_patches < 1:
        raise ValueError(
            f'max_num_patches must be at least 1, got {max_num_patches}')
    else:
        num = max_num_patches
        source = 'max_num_patches'
    sequences, grids = [], []
    for index, image in enumerate(images):
        shift = torch.tensor(mean, dtype=torch.float32,
                             device=image.device).view(-1, 1, 1)
        scale = torch.tensor(std, dtype=torch.float32,
                             device=image.device).view(-1, 1, 1)
        pixels = (image.float() / 255 - shift) / scale
        try:
            patches = patchify(pixels, patch_size)
        except ValueError as error:
            raise ValueError(f'image {index}: {error}') from None
        if patches.shape[0] > num:
            raise ValueError(
                f'image {index} has {patches.shape[0]} patches, more than '
                f'{source} {num}')
        sequences.append(patches)
        grids.append((image.shape[1] // patch_size,
                      image.shape[2] // patch_size))
    batch = sequences[0].new_zeros(len(images), num, sequences[0].shape[1])
    mask = torch.zeros(len(images), num, dtype=torch.bool,
                       device=batch.device)
    for index, patches in enumerate(sequences):
        batch[index, :patches.shape[0]] = patches
        mask[index, :patches.shape[0]] = True
    spatial_shapes = torch.tensor(grids, dtype=torch.long,
                                  device=batch.device)
    return NaFlexBatch(batch, spatial_shapes, mask)
