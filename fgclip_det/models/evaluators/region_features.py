"""Region embeddings of boxes: RoIAlign on the dense map, or crop-and-encode."""
from typing import Literal, Optional, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor
from torchvision.ops import roi_align

from fgclip_det.structures.naflex_batch import ImageInput

from ..clip.clip_loader import EvalCLIP

RegionMode = Literal['roi', 'crop']
REGION_MODES = ('roi', 'crop')
#: Crops encoded in one pass of the image tower.
CROP_CHUNK = 128


def _check_mode(mode: str) -> None:
    if mode not in REGION_MODES:
        raise ValueError(f'region mode must be one of {REGION_MODES}, '
                         f'got {mode!r}')


def crop_boxes(images: Tensor, boxes: Sequence[Tensor], crop_scale: float,
               crop_size: int) -> Tensor:
    """Square crops of enlarged boxes, resized bilinearly.

    Each box is scaled by ``crop_scale`` about its centre and clipped to the
    image before cropping.

    Args:
        images (Tensor): ``(B, 3, H, W)`` normalised images.
        boxes (Sequence[Tensor]): ``B`` tensors ``(N_i, 4)``, pixel xyxy.
        crop_scale (float): Enlargement of the box sides (1 = tight).
        crop_size (int): Side of the output crops.

    Returns:
        Tensor: ``(sum N_i, 3, crop_size, crop_size)``.
    """
    height, width = images.shape[-2:]
    rois = []
    for index, image_boxes in enumerate(boxes):
        image_boxes = image_boxes.reshape(-1, 4).float()
        centre = (image_boxes[:, :2] + image_boxes[:, 2:]) / 2
        half = (image_boxes[:, 2:] - image_boxes[:, :2]) * crop_scale / 2
        enlarged = torch.cat([centre - half, centre + half], dim=1)
        limit = enlarged.new_tensor([width, height, width, height])
        enlarged = torch.minimum(enlarged.clamp(min=0), limit)
        rois.append(torch.cat(
            [enlarged.new_full((len(enlarged), 1), index), enlarged], dim=1))
    rois = torch.cat(rois).to(images.device)
    return roi_align(images.float(), rois, output_size=crop_size,
                     spatial_scale=1.0, sampling_ratio=2, aligned=True)


def encode_box_regions(clip: EvalCLIP, images: ImageInput,
                       boxes: Sequence[Tensor], mode: RegionMode = 'roi',
                       crop_scale: float = 1.0, crop_size: int = 224) -> Tensor:
    """L2-normalised embeddings of boxes.

    Args:
        clip (FGCLIP | FGCLIP2): The model.
        images (Tensor | NaFlexBatch): ``(B, 3, H, W)`` normalised images,
            or a NaFlex batch (``'roi'`` only: each image pooled on its own
            grid, boxes in pixels of its resized image).
        boxes (Sequence[Tensor]): ``B`` tensors ``(N_i, 4)``, pixel xyxy.
        mode (str): ``'roi'``: RoIAlign (1x1) of the dense map (FG-CLIP);
            ``'crop'``: crop each enlarged box, resize it to ``crop_size``
            and take the global image embedding. Defaults to ``'roi'``.
        crop_scale (float): Box enlargement in ``'crop'`` mode. Defaults to
            1.0.
        crop_size (int): Crop side in ``'crop'`` mode. Defaults to 224.

    Returns:
        Tensor: ``(sum N_i, D)``, image by image in box order.
    """
    _check_mode(mode)
    if sum(len(b) for b in boxes) == 0:
        return clip.logit_scale.new_zeros(0, clip.embed_dim)
    if mode == 'roi':
        return clip.encode_regions(images, boxes, normalize=True)
    if not isinstance(images, Tensor):
        raise ValueError("region mode 'crop' crops an image tensor (B, 3, H, "
                         f"W), not a {type(images).__name__}; use 'roi'")
    crops = crop_boxes(images, boxes, crop_scale, crop_size)
    return torch.cat([
        F.normalize(clip.encode_image(chunk), dim=-1)
        for chunk in crops.split(CROP_CHUNK)
    ])


class BoxRegionEncoder:
    """:func:`encode_box_regions` with its settings checked once.

    Args:
        mode (str): ``'roi'`` or ``'crop'``. Defaults to ``'roi'``.
        crop_scale (float): Box enlargement of ``'crop'`` mode. Defaults to
            1.0.
        crop_size (int, optional): Crop side of ``'crop'`` mode, which
            needs one. Defaults to 224.
    """

    def __init__(self, mode: RegionMode = 'roi', crop_scale: float = 1.0,
                 crop_size: Optional[int] = 224) -> None:
        _check_mode(mode)
        if crop_scale <= 0:
            raise ValueError(f'crop_scale must be positive, got {crop_scale}')
        if mode == 'crop' and not crop_size:
            raise ValueError("region mode 'crop' needs a crop_size (a NaFlex "
                             'data preprocessor has no size to default to)')
        self.mode = mode
        self.crop_scale = crop_scale
        self.crop_size = crop_size

    def __call__(self, clip: EvalCLIP, images: ImageInput,
                 boxes: Sequence[Tensor]) -> Tensor:
        """L2-normalised embeddings ``(sum N_i, D)`` of pixel xyxy boxes."""
        return encode_box_regions(clip, images, boxes, self.mode,
                                  self.crop_scale, self.crop_size)
