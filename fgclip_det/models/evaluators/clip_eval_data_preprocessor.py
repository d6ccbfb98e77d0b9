"""Resize, batch and normalise images for evaluating a CLIP."""
from typing import List, Literal, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmdet.structures.bbox import BaseBoxes
from mmengine.model import BaseDataPreprocessor
from torch import Tensor

from fgclip_det.registry import MODELS

from ..pretrain.fgclip_data_preprocessor import PIXEL_MEAN, PIXEL_STD

ResizeMode = Literal['stretch', 'center_crop']
RESIZE_MODES = ('stretch', 'center_crop')


@MODELS.register_module()
class CLIPEvalDataPreprocessor(BaseDataPreprocessor):
    """Resize images of any size to a ``size x size`` CLIP input.

    ``'stretch'`` resizes both sides to ``size`` (FG-CLIP's box, FG-OVD and
    retrieval evaluation); ``'center_crop'`` resizes the shorter side to
    ``size`` and keeps the centre square (CLIP's zero-shot protocol). Boxes
    in ``gt_instances.bboxes`` (pixel xyxy) follow the image. Resizing is
    bicubic with antialiasing, on the model's device; then the images are
    normalised with CLIP's mean and std.

    Args:
        size (int): Output side in pixels. Defaults to 224.
        resize (str): ``'stretch'`` or ``'center_crop'``. Defaults to
            ``'stretch'``.
        mean (Sequence[float]): Per-channel mean of ``uint8`` RGB inputs.
            Defaults to CLIP's (times 255).
        std (Sequence[float]): Per-channel std. Defaults to CLIP's (times
            255).
        non_blocking (bool): Copy to the device without blocking. Defaults
            to False.
    """

    def __init__(self,
                 size: int = 224,
                 resize: ResizeMode = 'stretch',
                 *,
                 mean: Sequence[float] = PIXEL_MEAN,
                 std: Sequence[float] = PIXEL_STD,
                 non_blocking: bool = False) -> None:
        super().__init__(non_blocking)
        if resize not in RESIZE_MODES:
            raise ValueError(
                f'resize must be one of {RESIZE_MODES}, got {resize!r}')
        if size <= 0:
            raise ValueError(f'size must be positive, got {size}')
        self.size = size
        self.resize = resize
        self.register_buffer('mean', torch.tensor(mean).view(-1, 1, 1), False)
        self.register_buffer('std', torch.tensor(std).view(-1, 1, 1), False)

    def forward(self, data: dict, training: bool = False) -> dict:
        """Resize, stack and normalise a batch.

        Args:
            data (dict): ``inputs``: ``B`` uint8 RGB tensors ``(3, H_i,
                W_i)``; ``data_samples``: their ``B`` data samples.
            training (bool): Unused.

        Returns:
            dict: ``inputs`` (float ``(B, 3, size, size)``, normalised) and
            the ``data_samples`` with their boxes in input pixels.
        """
        data = self.cast_data(data)
        images: List[Tensor] = []
        for image, sample in zip(data['inputs'], data['data_samples']):
            image, scale, offset = self.resize_image(image.float())
            images.append(image)
            if 'gt_instances' in sample and 'bboxes' in sample.gt_instances:
                boxes = sample.gt_instances.bboxes
                if isinstance(boxes, BaseBoxes):
                    boxes = boxes.tensor
                sample.gt_instances.bboxes = (
                    boxes * boxes.new_tensor(scale * 2) - boxes.new_tensor(offset * 2))
            sample.set_metainfo(dict(img_shape=(self.size, self.size)))
        inputs = (torch.stack(images) - self.mean) / self.std
        return dict(inputs=inputs, data_samples=data['data_samples'])

    def resize_image(self, image: Tensor
                     ) -> Tuple[Tensor, Tuple[float, float], Tuple[float, float]]:
        """Resize one ``(3, H, W)`` image.

        Returns:
            tuple: The ``(3, size, size)`` image, the scale ``(sx, sy)`` and
            the crop offset ``(ox, oy)`` in resized pixels, so that a point
            maps to ``(x * sx - ox, y * sy - oy)``.
        """
        height, width = image.shape[-2:]
        if self.resize == 'stretch':
            new_h = new_w = self.size
        else:
            ratio = self.size / min(height, width)
            new_h = max(self.size, round(height * ratio))
            new_w = max(self.size, round(width * ratio))
        resized = F.interpolate(image[None], size=(new_h, new_w),
                                mode='bicubic', align_corners=False,
                                antialias=True)[0].clamp(0, 255)
        top, left = (new_h - self.size) // 2, (new_w - self.size) // 2
        resized = resized[:, top:top + self.size, left:left + self.size]
        return resized, (new_w / width, new_h / height), (left, top)
