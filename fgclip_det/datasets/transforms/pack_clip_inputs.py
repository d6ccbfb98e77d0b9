"""Pack a pretraining sample into ``inputs`` and a data sample."""
from typing import Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.structures import BaseDataElement

from fgclip_det.registry import TRANSFORMS


@TRANSFORMS.register_module()
class PackCLIPInputs(BaseTransform):
    """Make the model inputs of an FG-CLIP pretraining sample.

    Required keys: ``img``, ``long_caption``, ``short_caption``,
    ``region_boxes``, ``region_texts``, ``region_negatives``,
    ``has_negatives``.

    Returns a dict with
    - ``inputs`` (Tensor): ``(3, H, W)`` uint8 RGB image.
    - ``data_samples`` (:obj:`BaseDataElement`): data fields
      ``long_caption`` (str), ``short_caption`` (str), ``region_boxes``
      (float32 ``(num_regions, 4)``, pixel xyxy of ``inputs``),
      ``region_texts`` (list of str), ``region_negatives`` (per region a
      list of negative captions, empty when it has none) and
      ``has_negatives`` (bool ``(num_regions,)``); metainfo from
      ``meta_keys``.

    Args:
        meta_keys (Sequence[str]): Keys copied into the metainfo when
            present. Defaults to ``('img_path', 'ori_shape', 'img_shape',
            'scale_factor')``.
    """

    def __init__(self,
                 meta_keys: Sequence[str] = ('img_path', 'ori_shape',
                                             'img_shape', 'scale_factor')
                 ) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        """Pack ``results``."""
        img = np.ascontiguousarray(results['img'].transpose(2, 0, 1))
        sample = BaseDataElement(
            metainfo={k: results[k] for k in self.meta_keys if k in results})
        sample.long_caption = results['long_caption']
        sample.short_caption = results['short_caption']
        sample.region_boxes = torch.from_numpy(
            np.asarray(results['region_boxes'], dtype=np.float32).reshape(
                -1, 4))
        sample.region_texts = list(results['region_texts'])
        sample.region_negatives = [list(n) for n in results['region_negatives']]
        sample.has_negatives = torch.as_tensor(
            np.asarray(results['has_negatives'], dtype=bool))
        return dict(inputs=torch.from_numpy(img), data_samples=sample)

    def __repr__(self) -> str:
        return f'{type(self).__name__}(meta_keys={self.meta_keys})'
