"""Load an RGB image from a file or from bytes, with its regions in pixels."""
import io
from typing import Optional

import numpy as np
from mmcv.transforms import BaseTransform
from PIL import Image

from fgclip_det.registry import TRANSFORMS

#: What decoding a missing, truncated or corrupt image raises.
UNREADABLE_IMAGE_ERRORS = (OSError, ValueError, SyntaxError,
                           Image.DecompressionBombError)


@TRANSFORMS.register_module()
class LoadCLIPImage(BaseTransform):
    """Decode the image of a pretraining sample as RGB ``uint8``.

    The image comes from ``img_bytes`` when the sample has them (streamed
    shards) and from the file ``img_path`` otherwise. A missing or corrupt
    image makes the transform return None, which the datasets count and
    replace by another sample. Normalised region boxes
    (``norm_region_boxes``) are converted to pixels of the decoded image.

    Required keys: ``img_path`` or ``img_bytes``; optional
    ``norm_region_boxes``.

    Added keys: ``img`` (``(H, W, 3)`` uint8 RGB), ``img_shape``,
    ``ori_shape`` (``(H, W)``), ``region_boxes`` (float32
    ``(num_regions, 4)`` pixel xyxy, when ``norm_region_boxes`` is given).
    """

    def transform(self, results: dict) -> Optional[dict]:
        """Load the image; return None when it cannot be read."""
        try:
            if results.get('img_bytes') is not None:
                source = io.BytesIO(results['img_bytes'])
            else:
                source = results['img_path']
            with Image.open(source) as image:
                img = np.asarray(image.convert('RGB'))
        except UNREADABLE_IMAGE_ERRORS:
            return None
        height, width = img.shape[:2]
        results['img'] = img
        results['img_shape'] = results['ori_shape'] = (height, width)
        if 'norm_region_boxes' in results:
            scale = np.array([width, height, width, height], dtype=np.float32)
            results['region_boxes'] = results['norm_region_boxes'] * scale
        return results
