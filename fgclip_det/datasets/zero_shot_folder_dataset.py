"""Zero-shot classification on an ImageNet-style folder of class folders."""
import os
import os.path as osp
from typing import List, Optional

from mmengine.dataset import BaseDataset

from fgclip_det.registry import DATASETS

from .image_files import ImageFilesCheckMixin
from .vocabulary import list_class_folders, load_vocabulary

#: File endings read as images (lower case).
IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.webp')


@DATASETS.register_module()
class ZeroShotFolderDataset(ImageFilesCheckMixin, BaseDataset):
    """Images in ``<root>/<class folder>/<image>``, labelled by folder.

    Labels follow the sorted folder names (ImageNet: sorted WordNet ids).
    ``metainfo['classes']`` holds the class names: the lines of
    ``class_names`` (one a folder, in the same order) or the folder names.

    Each data info: ``img_path``, ``img_id`` and ``gt_label`` (int). Listed
    names that are not readable files (e.g. broken links) raise
    :class:`~fgclip_det.datasets.image_files.MissingImageFilesError` when
    the data set is built.

    Args:
        class_names (str, optional): A text file with one class name a
            line, or anything
            :func:`~fgclip_det.datasets.vocabulary.load_vocabulary` reads.
            Defaults to None (the folder names).
        **kwargs: ``BaseDataset`` arguments; the folder is
            ``data_root / data_prefix['img']``.
    """

    MISSING_IMAGES_HINT = ('The class folders under {folders} list names '
                           'that are not files (broken links?); '
                           'see docs/evaluation.md "Data layout".')

    def __init__(self, *args, class_names: Optional[str] = None,
                 **kwargs) -> None:
        self.class_names = class_names
        kwargs.setdefault('data_prefix', dict(img=''))
        super().__init__(*args, **kwargs)

    def load_data_list(self) -> List[dict]:
        """List the images of every class folder."""
        root = self.data_prefix['img']
        folders = list_class_folders(root)
        names = (load_vocabulary(self.class_names)
                 if self.class_names else folders)
        if len(names) != len(folders):
            raise ValueError(f'{len(names)} class names in '
                             f'{self.class_names} for {len(folders)} class '
                             f'folders in {root}')
        self._metainfo['classes'] = tuple(names)
        data_list = []
        for label, folder in enumerate(folders):
            for file_name in sorted(os.listdir(osp.join(root, folder))):
                if file_name.lower().endswith(IMAGE_SUFFIXES):
                    data_list.append(
                        dict(img_path=osp.join(root, folder, file_name),
                             img_id=len(data_list), gt_label=label))
        return data_list
