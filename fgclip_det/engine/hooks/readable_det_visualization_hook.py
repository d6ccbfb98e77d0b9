"""mmdet's visualization hook drawing each image's top boxes, legibly."""
import os.path as osp
from typing import Optional, Sequence

import mmcv
from mmdet.engine.hooks import DetVisualizationHook
from mmdet.structures import DetDataSample
from mmengine.fileio import get
from mmengine.utils import mkdir_or_exist

from fgclip_det.registry import HOOKS
from fgclip_det.visualization import (
    MIN_SHORT_SIDE,
    check_box_selection,
    draw_detections,
    select_instances,
)


@HOOKS.register_module()
class ReadableDetVisualizationHook(DetVisualizationHook):
    """``DetVisualizationHook`` that draws only the boxes
    :func:`~fgclip_det.visualization.select_instances` keeps, on images
    upscaled by :func:`~fgclip_det.visualization.draw_detections`.

    ``tools/test.py --show/--show-dir`` uses it (``--max-boxes``,
    ``--relative-score-thr``, ``--score-thr``), with the run's visualizer a
    :class:`~fgclip_det.visualization.ReadableDetLocalVisualizer`. Where the
    pictures go, the interval, ``show`` and ``wait_time`` are as in mmdet's
    hook.

    Args:
        max_boxes (int, optional): At most this many boxes an image, the
            highest-scoring. Defaults to None: no limit.
        relative_score_thr (float): Keep boxes scoring at least this fraction
            (in ``[0, 1]``) of the image's best score. Defaults to 0.
        min_short_side (int): Draw images with a shorter side below this
            upscaled to it; 0 draws at the image's size. Defaults to 512.
        **kwargs: ``DetVisualizationHook``'s arguments; its ``score_thr``
            (default 0.3) is the absolute score threshold, inclusive.
    """

    def __init__(self,
                 max_boxes: Optional[int] = None,
                 relative_score_thr: float = 0.0,
                 min_short_side: int = MIN_SHORT_SIDE,
                 **kwargs) -> None:
        check_box_selection(max_boxes, relative_score_thr)
        super().__init__(**kwargs)
        self.max_boxes = max_boxes
        self.relative_score_thr = relative_score_thr
        self.min_short_side = min_short_side

    def after_val_iter(self, runner, batch_idx: int, data_batch: dict,
                       outputs: Sequence[DetDataSample]) -> None:
        """Draw the first image of every ``interval``-th batch."""
        step = runner.iter + batch_idx
        if self.draw and step % self.interval == 0:
            sample = outputs[0]
            self._draw(osp.basename(sample.img_path) if self.show else 'val_img',
                       sample, step=step)

    def after_test_iter(self, runner, batch_idx: int, data_batch: dict,
                        outputs: Sequence[DetDataSample]) -> None:
        """Draw every image; save it under ``test_out_dir`` if set."""
        if not self.draw:
            return
        if self.test_out_dir is not None:
            self.test_out_dir = osp.join(runner.work_dir, runner.timestamp,
                                         self.test_out_dir)
            mkdir_or_exist(self.test_out_dir)
        for sample in outputs:
            self._test_index += 1
            name = osp.basename(sample.img_path)
            out_file = (None if self.test_out_dir is None else osp.join(
                self.test_out_dir, name))
            self._draw(name if self.show else 'test_img', sample,
                       step=self._test_index, out_file=out_file)

    def _draw(self, name: str, data_sample: DetDataSample, **kwargs) -> None:
        image = mmcv.imfrombytes(
            get(data_sample.img_path, backend_args=self.backend_args),
            channel_order='rgb')
        if 'pred_instances' in data_sample:
            data_sample = data_sample.clone()
            data_sample.pred_instances = select_instances(
                data_sample.pred_instances, self.max_boxes,
                self.relative_score_thr, self.score_thr)
        draw_detections(self._visualizer, name, image, data_sample,
                        self.min_short_side, show=self.show,
                        wait_time=self.wait_time, **kwargs)
