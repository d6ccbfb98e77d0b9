"""Image-text retrieval sets: images, each with one or more captions."""
import os.path as osp
from collections import defaultdict
from typing import List, Literal, Optional

from mmengine.dataset import BaseDataset
from mmengine.fileio import load

from fgclip_det.registry import DATASETS

from .image_files import ImageFilesCheckMixin

AnnFormat = Literal['karpathy', 'coco', 'list']
ANN_FORMATS = ('karpathy', 'coco', 'list')


@DATASETS.register_module()
class RetrievalDataset(ImageFilesCheckMixin, BaseDataset):
    """Images and captions for image <-> text retrieval.

    ``ann_format`` names the layout of ``ann_file``:

    - ``'karpathy'``: Karpathy's split files of COCO / Flickr30k,
      ``{"images": [{"filepath" (optional), "filename", "split",
      "sentences": [{"raw"}]}]}``; only images of ``split`` are kept
      (5000 COCO / 1000 Flickr30k test images, 5 captions each);
    - ``'coco'``: a COCO captions json, ``images`` (``id``, ``file_name``)
      and ``annotations`` (``image_id``, ``caption``);
    - ``'list'``: a json list of records, the image path under
      ``image_key`` and the caption(s) (a string or a list) under
      ``caption_key``, e.g. ShareGPT4V-1k and DCI (``{"image",
      "caption"}``) or the synthetic set (``img_path``, ``caption`` /
      ``short_caption``).

    Each data info: ``img_path``, ``img_id`` and ``captions`` (list of str).
    The image files are checked when the data set is built
    (:class:`~fgclip_det.datasets.image_files.MissingImageFilesError`).

    Args:
        ann_format (str): ``'karpathy'``, ``'coco'`` or ``'list'``.
        split (str, optional): Karpathy split kept. Defaults to ``'test'``.
        image_key (str): Image field of ``'list'`` records. Defaults to
            ``'image'``.
        caption_key (str): Caption field of ``'list'`` records. Defaults to
            ``'caption'``.
        **kwargs: ``BaseDataset`` arguments (``ann_file``, ``data_root``,
            ``data_prefix=dict(img=...)``, ``pipeline``, ...).
    """

    MISSING_IMAGES_HINT = ('The images of the retrieval set are needed under '
                           '{folders}; see docs/evaluation.md "Data layout".')

    def __init__(self,
                 *args,
                 ann_format: AnnFormat,
                 split: Optional[str] = 'test',
                 image_key: str = 'image',
                 caption_key: str = 'caption',
                 **kwargs) -> None:
        if ann_format not in ANN_FORMATS:
            raise ValueError(f'ann_format must be one of {ANN_FORMATS}, got '
                             f'{ann_format!r}')
        self.ann_format = ann_format
        self.split = split
        self.image_key = image_key
        self.caption_key = caption_key
        kwargs.setdefault('data_prefix', dict(img=''))
        super().__init__(*args, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Read ``(image path, captions)`` pairs in file order."""
        content = load(self.ann_file)
        if self.ann_format == 'karpathy':
            pairs = [(osp.join(image.get('filepath', ''), image['filename']),
                      [s['raw'] for s in image['sentences']])
                     for image in content['images']
                     if self.split is None or image['split'] == self.split]
        elif self.ann_format == 'coco':
            captions = defaultdict(list)
            for ann in content['annotations']:
                captions[ann['image_id']].append(ann['caption'])
            pairs = [(image['file_name'], captions[image['id']])
                     for image in content['images'] if captions[image['id']]]
        else:
            pairs = []
            for record in content:
                caption = record[self.caption_key]
                pairs.append((record[self.image_key],
                              [caption] if isinstance(caption, str)
                              else list(caption)))
        prefix = self.data_prefix['img']
        return [dict(img_path=osp.join(prefix, path), img_id=index,
                     captions=captions)
                for index, (path, captions) in enumerate(pairs)]
