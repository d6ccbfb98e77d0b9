"""Check when a data set is built that every image file it names exists.

A missing image would otherwise surface mid-epoch in a dataloader worker, or
at test time as MMEngine's ``Test time pipline should not get None
data_sample``, naming neither the file nor the data it belongs to.
"""
import os.path as osp
import re
from typing import Iterator, List

from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

#: Missing paths named in the error.
NUM_SHOWN = 5
#: Paths with a URI scheme (``s3://``, ``http://``) live on a remote
#: storage backend: they are not checked.
_REMOTE = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*://')


class MissingImageFilesError(FileNotFoundError):
    """Image files named by a data set are not there.

    Attributes:
        missing (list[str]): The missing paths, in data order.
        num_images (int): The image paths checked.
    """

    def __init__(self, message: str, missing: List[str],
                 num_images: int) -> None:
        super().__init__(message)
        self.missing = missing
        self.num_images = num_images


def image_paths(dataset: BaseDataset, key: str = 'img_path') -> Iterator[str]:
    """The ``key`` of every sample of a fully initialised data set.

    Reads serialised data infos one by one and unserialised ones in place
    (no copy), so the check costs little beside the file system calls.
    """
    if dataset.serialize_data:
        for index in range(len(dataset)):
            yield dataset.get_data_info(index)[key]
    else:
        for info in dataset.data_list:
            yield info[key]


def check_image_files(dataset: BaseDataset, hint: str,
                      key: str = 'img_path') -> None:
    """Raise if an image file of ``dataset`` does not exist.

    Args:
        dataset (BaseDataset): A fully initialised data set.
        hint (str): Where the images come from, with a ``{folders}`` field
            that receives the folders of the missing files.
        key (str): Data-info field of the image path. Defaults to
            ``'img_path'``.

    Raises:
        MissingImageFilesError: Naming the data set (class and annotation
            file), how many files are missing and the first of them.
    """
    paths = list(image_paths(dataset, key))
    local = [path for path in paths if not _REMOTE.match(path)]
    missing = [path for path in local if not osp.isfile(path)]
    name = type(dataset).__name__
    ann_file = getattr(dataset, 'ann_file', '') or ''
    source = f'{name} (ann_file {ann_file!r})' if ann_file else name
    if len(local) < len(paths):
        print_log(f'{source}: {len(paths) - len(local)} image paths on a '
                  'remote storage backend are not checked', logger='current')
    if not missing:
        return
    folders = sorted({osp.dirname(path) or '.' for path in missing})
    shown = ', '.join(folders[:3]) + (', ...' if len(folders) > 3 else '')
    raise MissingImageFilesError(
        f'{source}: {len(missing)} of {len(paths)} image files are missing, '
        f'the first: {", ".join(missing[:NUM_SHOWN])}. '
        + hint.format(folders=shown),
        missing=missing, num_images=len(paths))


class ImageFilesCheckMixin:
    """Check the image files of an MMEngine data set in ``full_init``.

    Put it before the data set class in the bases. The check runs once the
    data list is loaded, filtered and sliced (``indices``), so it covers
    exactly the samples the data set serves: at build time, or with
    ``lazy_init=True`` at the first access (the samplers' ``len()``, before
    the first iteration). A failed check leaves the data set uninitialised,
    so every later access raises again.
    """

    #: The end of the error: where the images come from, with a
    #: ``{folders}`` field for the folders of the missing files.
    MISSING_IMAGES_HINT = 'The images are needed under {folders}.'

    def full_init(self) -> None:
        """Load the annotations (the data set's own ``full_init``), then
        check that every image file exists."""
        if self._fully_initialized:
            return
        super().full_init()
        try:
            check_image_files(self, self.MISSING_IMAGES_HINT)
        except MissingImageFilesError:
            self._fully_initialized = False
            raise
