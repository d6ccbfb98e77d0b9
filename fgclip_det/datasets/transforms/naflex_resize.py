"""Resize an image to a NaFlex patch grid (SigLIP 2 / FG-CLIP 2)."""
import math
from typing import Tuple

from mmcv.transforms import BaseTransform
from PIL import Image

from fgclip_det.registry import TRANSFORMS

from .resize_with_boxes import resize_with_boxes

#: ``(more than this many patches, bucket)`` of FG-CLIP 2's dynamic budget,
#: largest first; smaller images get :data:`SMALLEST_BUCKET`.
PATCH_BUCKETS = ((784, 1024), (576, 784), (256, 576), (128, 256))
SMALLEST_BUCKET = 128


def _check_positive(name: str, value: int) -> None:
    if value < 1:
        raise ValueError(f'{name} must be at least 1, got {value}')


def naflex_patch_budget(height: int, width: int, patch_size: int) -> int:
    """The dynamic patch budget FG-CLIP 2 picks for an image.

    ``n = (height // p) * (width // p)``; ``n > 784 -> 1024``,
    ``> 576 -> 784``, ``> 256 -> 576``, ``> 128 -> 256``, else 128
    (``determine_max_value`` of the public code).

    Returns:
        int: The bucket.
    """
    _check_positive('patch_size', patch_size)
    num = (height // patch_size) * (width // patch_size)
    for threshold, bucket in PATCH_BUCKETS:
        if num > threshold:
            return bucket
    return SMALLEST_BUCKET


def naflex_target_size(height: int,
                       width: int,
                       patch_size: int,
                       max_num_patches: int,
                       eps: float = 1e-5) -> Tuple[int, int]:
    """The size SigLIP 2's NaFlex processor resizes an image to.

    A bisection over the scale ``s`` in ``[eps / 10, 100]``, until the
    interval is narrower than ``eps``, for the largest ``s`` with
    ``ceil(s * H / p) * ceil(s * W / p) <= max_num_patches``, each side at
    least one patch (transformers' ``get_image_size_for_max_num_patches``).
    An aspect ratio too extreme for the budget (more than
    ``max_num_patches`` patches along a side at the smallest scale) gives a
    grid over the budget, as in transformers.

    Returns:
        Tuple[int, int]: ``(H', W')``, multiples of ``patch_size``.
    """
    _check_positive('patch_size', patch_size)
    _check_positive('max_num_patches', max_num_patches)
    _check_positive('image height', height)
    _check_positive('image width', width)

    def side(scale: float, size: int) -> int:
        return max(1, math.ceil(size * scale / patch_size)) * patch_size

    low, high = eps / 10, 100.0
    while high - low >= eps:
        scale = (low + high) / 2
        cells = (side(scale, height) // patch_size) * (
            side(scale, width) // patch_size)
        if cells <= max_num_patches:
            low = scale
        else:
            high = scale
    return side(low, height), side(low, width)


@TRANSFORMS.register_module()
class NaFlexResize(BaseTransform):
    """Resize to the NaFlex size of :func:`naflex_target_size`.

    PIL bilinear on the uint8 image, as transformers' ``Siglip2ImageProcessor``
    (bit-identical pixels). Boxes are scaled by the per-axis ratios and
    clipped to the new image.

    Required keys: ``img`` (``(H, W, 3)`` uint8); optional ``gt_bboxes``
    (``HorizontalBoxes`` or ``(n, 4)`` ndarray), ``region_boxes`` (pixel
    xyxy ndarray).

    Modified keys: ``img``, ``img_shape``, ``gt_bboxes``, ``region_boxes``.

    Added keys: ``scale_factor`` (``(w_scale, h_scale)``), ``naflex_grid``
    (``(h, w)`` patches), ``max_num_patches`` (the budget used).

    Args:
        patch_size (int): Patch side in pixels. Defaults to 16.
        max_num_patches (int): Patch budget. Defaults to 256.
        dynamic_max_patches (bool): Replace the budget by the image's
            :func:`naflex_patch_budget` bucket, as FG-CLIP 2's processor
            does by default. Defaults to False.
    """

    def __init__(self,
                 patch_size: int = 16,
                 max_num_patches: int = 256,
                 dynamic_max_patches: bool = False) -> None:
        _check_positive('patch_size', patch_size)
        _check_positive('max_num_patches', max_num_patches)
        self.patch_size = patch_size
        self.max_num_patches = max_num_patches
        self.dynamic_max_patches = dynamic_max_patches

    def transform(self, results: dict) -> dict:
        """Resize ``img`` and rescale its boxes."""
        height, width = results['img'].shape[:2]
        budget = (naflex_patch_budget(height, width, self.patch_size)
                  if self.dynamic_max_patches else self.max_num_patches)
        new_h, new_w = naflex_target_size(height, width, self.patch_size,
                                          budget)
        resize_with_boxes(results, (new_h, new_w), Image.BILINEAR,
                          box_keys=('gt_bboxes', 'region_boxes'))
        results['naflex_grid'] = (new_h // self.patch_size,
                                  new_w // self.patch_size)
        results['max_num_patches'] = budget
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(patch_size={self.patch_size}, '
                f'max_num_patches={self.max_num_patches}, '
                f'dynamic_max_patches={self.dynamic_max_patches})')
