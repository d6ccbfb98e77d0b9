"""FG-OVD benchmark: one box and its 1 + K descriptions a sample."""
import os.path as osp
from typing import List, Sequence

from mmengine.dataset import BaseDataset

from fgclip_det.registry import DATASETS

from .fgovd import FGOVD_FILES, load_fgovd_jsonl


@DATASETS.register_module()
class FGOVDBenchmarkDataset(BaseDataset):
    """The FG-OVD difficulty files (Bianchi et al., CVPR 2024) as one set.

    Reads each file with :func:`~fgclip_det.datasets.load_fgovd_jsonl`, in
    the order given; images are found under ``data_prefix['img']`` (the
    COCO root for the real benchmark, whose ``img_path`` values start with
    ``val2017/``).

    Each data info: ``img_path``, ``img_id``, ``height``, ``width``,
    ``instances`` (one box: ``bbox`` pixel xyxy, ``bbox_label`` 0,
    ``ignore_flag`` 0), ``texts`` (the positive, then the negatives) and
    ``test_type`` (e.g. ``'1_attributes'``, as in the file).

    Args:
        ann_files (Sequence[str]): The jsonl files, relative to
            ``data_root``. Defaults to the four difficulty files
            (hard, medium, easy, trivial) in ``data_root``.
        **kwargs: ``BaseDataset`` arguments (``data_root``,
            ``data_prefix=dict(img=...)``, ``pipeline``, ...) but
            ``ann_file``.
    """

    def __init__(self,
                 *args,
                 ann_files: Sequence[str] = tuple(FGOVD_FILES),
                 **kwargs) -> None:
        if not ann_files:
            raise ValueError('ann_files is empty')
        self.ann_files = tuple(ann_files)
        kwargs.setdefault('data_prefix', dict(img=''))
        super().__init__(*args, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Read the records of every file."""
        data_list = []
        for ann_file in self.ann_files:
            for record in load_fgovd_jsonl(
                    osp.join(self.data_root or '', ann_file)):
                x, y, w, h = record.bbox
                data_list.append(
                    dict(img_path=osp.join(self.data_prefix['img'],
                                           record.img_path),
                         img_id=record.image_id, height=record.height,
                         width=record.width,
                         instances=[dict(bbox=[x, y, x + w, y + h],
                                         bbox_label=0, ignore_flag=0)],
                         texts=[record.pos_expression,
                                *record.neg_expressions],
                         test_type=record.test_type))
        return data_list
