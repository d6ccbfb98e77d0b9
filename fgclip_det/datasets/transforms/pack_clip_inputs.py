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
    ``has_negatives``; optional: ``region_short_texts`` (the short
    expression of each region, the caption its hard negatives rewrite;
    defaults to ``region_texts``).

    Returns a dict with
    - ``inputs`` (Tensor): ``(3, H, W)`` uint8 RGB image.
    - ``data_samples`` (:obj:`BaseDataElement`): data fields
      ``long_caption`` (str), ``short_caption`` (str, after
      ``short_caption_prefix``), ``region_boxes`` (float32
      ``(num_regions, 4)``, pixel xyxy of ``inputs``), ``region_texts``
      and ``region_short_texts`` (lists of str), ``region_negatives`` (per
      region a list of negative captions, empty when it has none) and
      ``has_negatives`` (bool ``(num_regions,)``); metainfo from
      ``meta_keys``.

    Args:
        meta_keys (Sequence[str]): Keys copied into the metainfo when
            present. Defaults to ``('img_path', 'ori_shape', 'img_shape',
            'scale_factor')``.
        short_caption_prefix (str): Put before every short caption. FG-CLIP
            uses ``'a photo of '``: the public stage-2 dataset
            (``fgclip/train/train_fgclip.py``,
            ``LazySupervisedBboxDataset.__getitem__``) builds
            ``"a photo of " + item["short_caption"]``, always, and leaves
            the long caption, the region expressions and the hard negatives
            as they are; so does this transform. Defaults to ``''``.
    """

    def __init__(self,
                 meta_keys: Sequence[str] = ('img_path', 'ori_shape',
                                             'img_shape', 'scale_factor'),
                 *,
                 short_caption_prefix: str = '') -> None:
        if not isinstance(short_caption_prefix, str):
            raise TypeError(f'short_caption_prefix must be a string, got '
                            f'{short_caption_prefix!r}')
        self.short_caption_prefix = short_caption_prefix
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        """Pack ``results``."""
        img = np.ascontiguousarray(results['img'].transpose(2, 0, 1))
        sample = BaseDataElement(
            metainfo={k: results[k] for k in self.meta_keys if k in results})
        sample.long_caption = results['long_caption']
        sample.short_caption = self.short_caption_prefix + results['short_caption']
        sample.region_boxes = torch.from_numpy(
            np.asarray(results['region_boxes'], dtype=np.float32).reshape(
                -1, 4))
        sample.region_texts = list(results['region_texts'])
        sample.region_short_texts = list(
            results.get('region_short_texts', sample.region_texts))
        sample.region_negatives = [list(n) for n in results['region_negatives']]
        sample.has_negatives = torch.as_tensor(
            np.asarray(results['has_negatives'], dtype=bool))
        return dict(inputs=torch.from_numpy(img), data_samples=sample)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(short_caption_prefix='
                f'{self.short_caption_prefix!r}, meta_keys={self.meta_keys})')
