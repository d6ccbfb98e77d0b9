"""Open-vocabulary COCO metric: box AP50 over novel, base and all classes."""
import os.path as osp
import tempfile
from collections import OrderedDict
from typing import Dict, Sequence

import numpy as np
from mmdet.datasets.api_wrappers import COCOeval
from mmdet.evaluation import CocoMetric
from mmengine.fileio import load
from mmengine.logging import MMLogger

from fgclip_det.registry import METRICS

#: Index of IoU 0.5 in COCOeval's thresholds, of the 'all' area range and of
#: the 100-detections limit in its default ``maxDets`` (1, 10, 100).
IOU50, AREA_ALL, MAX_DETS_100 = 0, 0, -1
SPLITS = ('novel', 'base', 'all')


@METRICS.register_module()
class OVCocoMetric(CocoMetric):
    """Box AP50 averaged over the novel, base and all classes (OV-COCO).

    One pycocotools ``COCOeval`` of all classes (default ``maxDets``, 100
    detections an image); per-class AP50 is read from its precision array and
    averaged over each split, classes without ground truth left out. The
    results are ``bbox_AP50_novel``, ``bbox_AP50_base``, ``bbox_AP50_all``
    and ``bbox_mAP`` (AP@[.5:.95] of all classes).

    Args:
        novel_classes (Sequence[str]): Names of the novel classes; every
            other class of the dataset is base.
        ann_file (str): COCO annotation file of the evaluated images.
        **kwargs: Other arguments of ``CocoMetric`` (``metric`` is 'bbox').
    """

    default_prefix = 'coco'

    def __init__(self, novel_classes: Sequence[str], ann_file: str,
                 **kwargs) -> None:
        super().__init__(ann_file=ann_file, metric='bbox', **kwargs)
        if isinstance(novel_classes, str):
            raise ValueError('novel_classes is a sequence of class names, '
                             f'got the string {novel_classes!r}')
        self.novel_classes = tuple(novel_classes)

    def _split_masks(self, cat_ids: Sequence[int]) -> Dict[str, np.ndarray]:
        """Masks of the novel, base and all classes over ``cat_ids``."""
        unknown = sorted(set(self.novel_classes)
                         - set(self.dataset_meta['classes']))
        if unknown:
            raise ValueError(f'novel classes {unknown} are not classes of '
                             'the dataset')
        names = [self._coco_api.cats[cat_id]['name'] for cat_id in cat_ids]
        novel = np.array([name in self.novel_classes for name in names])
        return dict(novel=novel, base=~novel, all=np.ones_like(novel))

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """AP50 per split from the collected results.

        Args:
            results (list): ``(gt, prediction)`` pairs from ``process``.

        Returns:
            dict[str, float]: ``bbox_AP50_{novel,base,all}`` and
            ``bbox_mAP``, in [0, 1] as pycocotools reports them.
        """
        logger = MMLogger.get_current_instance()
        _, preds = zip(*results)
        with tempfile.TemporaryDirectory() as tmp_dir:
            prefix = self.outfile_prefix or osp.join(tmp_dir, 'results')
            if self.cat_ids is None:
                self.cat_ids = self._coco_api.get_cat_ids(
                    cat_names=self.dataset_meta['classes'])
            if self.img_ids is None:
                self.img_ids = self._coco_api.get_img_ids()
            # COCOeval sorts its category ids: its precision axis follows them
            masks = self._split_masks(sorted(set(self.cat_ids)))
            result_files = self.results2json(preds, prefix)
            if self.format_only:
                logger.info(f'results are saved in {osp.dirname(prefix)}')
                return dict()
            detections = load(result_files['bbox'])
        eval_results = OrderedDict(
            (f'bbox_AP50_{split}', 0.0) for split in SPLITS)
        eval_results['bbox_mAP'] = 0.0
        if not detections:
            logger.warning('OVCocoMetric: no detections; every AP is 0')
            return eval_results
        coco_eval = COCOeval(self._coco_api, self._coco_api.loadRes(detections),
                             'bbox')
        coco_eval.params.catIds = self.cat_ids
        coco_eval.params.imgIds = self.img_ids
        coco_eval.evaluate()
        coco_eval.accumulate()
        coco_eval.summarize()
        precision = coco_eval.eval['precision'][IOU50, :, :, AREA_ALL,
                                                 MAX_DETS_100]
        ap50 = np.array([
            p[p > -1].mean() if (p > -1).any() else np.nan
            for p in precision.T
        ])
        for split in SPLITS:
            values = ap50[masks[split]]
            values = values[~np.isnan(values)]
            eval_results[f'bbox_AP50_{split}'] = (
                float(values.mean()) if len(values) else 0.0)
        eval_results['bbox_mAP'] = float(coco_eval.stats[0])
        logger.info('AP50 ' + ', '.join(
            f'{split} {eval_results[f"bbox_AP50_{split}"]:.4f}'
            for split in SPLITS))
        return eval_results
