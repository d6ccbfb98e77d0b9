"""OpenVocabDetector and tools/demo.py name the bad image or class list."""
import re
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from fgclip_det.apis import ImageInputError, OpenVocabDetector, read_image_file
from fgclip_det.models.text import SINGLE_TEMPLATE

REPO = Path(__file__).resolve().parents[2]
VOCABULARY = ['red mug', 'blue mug']


@pytest.fixture(scope='module')
def detector(tiny_fvit):
    detector = OpenVocabDetector(tiny_fvit.config, tiny_fvit.checkpoint,
                                 templates=SINGLE_TEMPLATE)
    detector.set_vocabulary(VOCABULARY)
    return detector


@pytest.fixture(scope='module')
def image(tiny_fvit) -> np.ndarray:
    return cv2.imread(tiny_fvit.image)  # (160, 200, 3) uint8


@pytest.mark.parametrize('make, expected', [
    (lambda img: img.astype(np.float32) / 255,
     'got a float32 array of shape (160, 200, 3); convert it'),
    (lambda img: img[..., 0], 'got a uint8 array of shape (160, 200); give a '
     'grey image 3 channels'),
    (lambda img: np.concatenate([img, img[..., :1]], axis=2),
     'got a uint8 array of shape (160, 200, 4); drop the alpha channel'),
    (lambda img: img.transpose(2, 0, 1),
     'got a uint8 array of shape (3, 160, 200); a (3, H, W) array needs'),
    (lambda img: img[None], 'got a uint8 array of shape (1, 160, 200, 3); give '
     'a batch as a list'),
    (lambda img: img[:0], 'got a uint8 array of shape (0, 200, 3)'),
])
def test_bad_arrays_are_named(detector, image, make, expected):
    with pytest.raises(ImageInputError, match=re.escape(
            'images[0]: expected an (H, W, 3) uint8 BGR array (as mmcv.imread '
            'gives), ' + expected)):
        detector(make(image))


def test_the_index_of_the_bad_image_is_named(detector, image, tiny_fvit):
    with pytest.raises(ImageInputError, match=r'images\[2\]: .*float64'):
        detector([tiny_fvit.image, image, image.astype(np.float64)])


def test_bad_files_are_named(detector, tmp_path, tiny_fvit):
    missing = tmp_path / 'missing.png'
    with pytest.raises(FileNotFoundError,
                       match=re.escape(f"images[0]: no image file '{missing}'")):
        detector(str(missing))
    empty = tmp_path / 'empty.png'
    empty.write_bytes(b'')
    with pytest.raises(ImageInputError, match=re.escape(
            f"images[1]: the image file '{empty}' is empty (0 bytes)")):
        detector([tiny_fvit.image, empty])  # a Path is a path too
    text = tmp_path / 'notes.png'
    text.write_text('not an image')
    with pytest.raises(ImageInputError, match=re.escape(
            f"images[0]: cannot decode '{text}' as an image")):
        detector(str(text))
    with pytest.raises(ImageInputError, match='is not a file'):
        detector(str(tmp_path))


def test_other_inputs_are_type_errors(detector, image):
    from PIL import Image

    with pytest.raises(TypeError, match='images: expected an image file path '
                       r'or an \(H, W, 3\) uint8 BGR array or a list of them, '
                       'got a Image'):
        detector(Image.fromarray(image))
    with pytest.raises(TypeError, match=r'images\[1\]: .* got a int'):
        detector([image, 3])
    with pytest.raises(TypeError, match='images: expected a list'):
        detector.predict(image)


def test_files_and_arrays_still_work(detector, image, tiny_fvit):
    from_file, from_path, from_array = detector(
        [tiny_fvit.image, Path(tiny_fvit.image), image])
    np.testing.assert_allclose(from_file['scores'], from_array['scores'],
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(from_file['scores'], from_path['scores'])


def test_bad_vocabularies_are_named(detector):
    with pytest.raises(ValueError, match=re.escape(
            "class name 1 is empty: '  '")):
        detector.set_vocabulary(['mug', '  '])
    with pytest.raises(ValueError, match='duplicate class names: 0'):
        detector.set_vocabulary(['Red mug', 'red_mug'])
    with pytest.raises(TypeError, match="the string 'red mug'"):
        detector.set_vocabulary('red mug')
    assert detector.vocabulary == tuple(VOCABULARY)  # left unchanged


def test_read_image_file(tiny_fvit, tmp_path):
    assert read_image_file(tiny_fvit.image).shape == (160, 200, 3)
    (tmp_path / 'x.jpg').write_bytes(b'\xff\xd8\xff' + b'\0' * 10)
    with pytest.raises(ImageInputError, match='cannot decode'):
        read_image_file(tmp_path / 'x.jpg')


def run_demo(tiny_fvit, image, classes='red mug,blue mug'):
    return subprocess.run(
        [sys.executable, str(REPO / 'tools' / 'demo.py'), str(image),
         '--config', tiny_fvit.config, '--checkpoint', tiny_fvit.checkpoint,
         '--classes', classes, '--out', str(Path(image).parent / 'out.png')],
        cwd=REPO, capture_output=True, text=True)


@pytest.mark.parametrize('content, reason', [
    (b'', 'is empty (0 bytes)'), (b'plain text', 'as an image')])
def test_demo_names_a_bad_image_file(tiny_fvit, tmp_path, content, reason):
    image = tmp_path / 'photo.jpg'
    image.write_bytes(content)
    proc = run_demo(tiny_fvit, image)
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(f"demo.py: error: image: the image file '{image}'"
                           if not content else
                           f"demo.py: error: image: cannot decode '{image}'")
    assert reason in last
    assert 'Traceback' not in proc.stderr
    assert not (tmp_path / 'out.png').exists()


def test_demo_names_a_bad_class_list(tiny_fvit):
    proc = run_demo(tiny_fvit, tiny_fvit.image, classes='red mug,,blue mug')
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        "demo.py: error: class name 1 in 'red mug,,blue mug' is empty: ''")
