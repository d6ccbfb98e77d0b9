"""Check the images given for inference: files that decode, or BGR arrays."""
import os
import os.path as osp
from typing import Callable, Optional, Union

import mmcv
import numpy as np

#: An image for inference: a file path, or an ``(H, W, 3)`` uint8 BGR array.
ImageInput = Union[str, os.PathLike, np.ndarray]
EXPECTED = 'an image file path or an (H, W, 3) uint8 BGR array'


class ImageInputError(ValueError):
    """An image given for inference is not one that can be used."""


def _array_hint(image: np.ndarray) -> str:
    """How to turn a rejected array into an accepted one, if it is clear."""
    if image.ndim == 2:
        return ('; give a grey image 3 channels, e.g. '
                'cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)')
    if image.ndim == 3 and image.shape[2] == 4:
        return '; drop the alpha channel: img[..., :3]'
    if image.ndim == 3 and image.shape[0] == 3 and image.shape[2] != 3:
        return '; a (3, H, W) array needs img.transpose(1, 2, 0)'
    if image.ndim == 4:
        return '; give a batch as a list of images'
    if image.dtype.kind == 'f':
        return ('; convert it, e.g. (img * 255).round().astype(np.uint8) '
                'for values in [0, 1]')
    return ''


def check_image_array(image: np.ndarray, name: str = 'image') -> np.ndarray:
    """Return ``image`` if it is an ``(H, W, 3)`` uint8 array; raise
    :class:`ImageInputError` naming its dtype and shape otherwise."""
    shape_ok = (image.ndim == 3 and image.shape[2] == 3
                and image.shape[0] > 0 and image.shape[1] > 0)
    if image.dtype != np.uint8 or not shape_ok:
        raise ImageInputError(
            f'{name}: expected an (H, W, 3) uint8 BGR array (as mmcv.imread '
            f'gives), got a {image.dtype} array of shape {image.shape}'
            + _array_hint(image))
    return image


def check_image_file(path: Union[str, os.PathLike],
                     name: str = 'image') -> str:
    """Return ``path`` as a string if it names a non-empty file; raise
    ``FileNotFoundError`` or :class:`ImageInputError` otherwise."""
    path = os.fspath(path)
    if not osp.exists(path):
        raise FileNotFoundError(f'{name}: no image file {path!r}')
    if not osp.isfile(path):
        raise ImageInputError(f'{name}: {path!r} is not a file')
    if osp.getsize(path) == 0:
        raise ImageInputError(f'{name}: the image file {path!r} is empty '
                              '(0 bytes)')
    return path


def check_image_input(image: ImageInput,
                      name: str = 'image') -> Union[str, np.ndarray]:
    """A checked image: an existing non-empty file's path (str) or an
    ``(H, W, 3)`` uint8 array.

    Raises:
        TypeError: For anything but a path or an array.
        FileNotFoundError: For a path that does not exist.
        ImageInputError: For an empty file, a folder, or an array of another
            dtype or shape.
    """
    if isinstance(image, np.ndarray):
        return check_image_array(image, name)
    if isinstance(image, (str, os.PathLike)):
        return check_image_file(image, name)
    raise TypeError(f'{name}: expected {EXPECTED}, got a '
                    f'{type(image).__name__}')


def _decode_error(name: str, path: str,
                  error: Optional[Exception] = None) -> ImageInputError:
    cause = f' ({type(error).__name__}: {error})' if error else ''
    return ImageInputError(f'{name}: cannot decode {path!r} as an image'
                           f'{cause}')


def load_image_file(loader: Callable[[dict], Optional[dict]], results: dict,
                    name: str = 'image') -> dict:
    """Run a loading transform on ``results['img_path']``, turning a failed
    decode into an :class:`ImageInputError` that names the file."""
    path = results['img_path']
    try:
        loaded = loader(results)
    except Exception as error:  # the decoder's error, re-raised with the file
        raise _decode_error(name, path, error) from error
    if loaded is None:
        raise _decode_error(name, path)
    return loaded


def read_image_file(path: Union[str, os.PathLike],
                    name: str = 'image') -> np.ndarray:
    """Decode an image file as an ``(H, W, 3)`` uint8 BGR array.

    Raises:
        FileNotFoundError: If there is no such file.
        ImageInputError: If it is empty, a folder, or not an image OpenCV
            decodes.
    """
    path = check_image_file(path, name)
    try:
        image = mmcv.imread(path)
    except Exception as error:  # the decoder's error, re-raised with the file
        raise _decode_error(name, path, error) from error
    if image is None:
        raise _decode_error(name, path)
    return image
