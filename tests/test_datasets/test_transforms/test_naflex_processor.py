"""The NaFlex image processor: target sizes, buckets, patches, collation."""
import json
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import torch
from mmdet.structures.bbox import HorizontalBoxes

from fgclip_det.datasets.transforms import (
    NaFlexResize,
    naflex_collate,
    naflex_patch_budget,
    naflex_target_size,
    patchify,
)
from fgclip_det.registry import TRANSFORMS

#: The FG-CLIP 2 fixture, found beside the repository as the other shared
#: fixtures are (``fgclip_det.testing.fgclip_tiny_hf_fixture``).
FIXTURE = (Path(__file__).resolve().parents[3] / '..' / 'shared' /
           'fixtures' / 'fgclip2_tiny_hf').resolve()


@pytest.fixture(scope='module')
def fixture_dir():
    if not (FIXTURE / 'reference.npz').is_file():
        pytest.skip('shared fixture ../shared/fixtures/fgclip2_tiny_hf is '
                    'absent')
    return FIXTURE


def to_chw(img: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))


def exact_target_size(height, width, patch, budget):
    """The supremum scale by exact arithmetic over the ceil breakpoints."""
    def grid(scale):
        return (max(1, math.ceil(scale * height / patch)),
                max(1, math.ceil(scale * width / patch)))

    breaks = {Fraction(k * patch, side) for side in (height, width)
              for k in range(1, 100 * side // patch + 1)} | {Fraction(100)}
    best = max(s for s in breaks if s <= 100 and math.prod(grid(s)) <= budget)
    rows, cols = grid(best)
    return rows * patch, cols * patch


# (a) the fixture's reference processor output


def test_fixture_pixel_values(fixture_dir):
    ref = np.load(fixture_dir / 'reference.npz')
    settings = json.loads((fixture_dir / 'texts.json').read_text())['processor']
    patch, budget = settings['patch_size'], settings['max_num_patches']
    assert not settings['dynamic_max_patches']
    resize = NaFlexResize(patch_size=patch, max_num_patches=budget)
    images = []
    for key in ('img0_raw', 'img1_raw'):
        raw = ref[key].astype(np.uint8)
        results = resize(dict(img=raw))
        assert results['img_shape'] == naflex_target_size(
            *raw.shape[:2], patch, budget)
        images.append(to_chw(results['img']))
    batch = naflex_collate(images, patch, budget,
                           settings['image_mean'], settings['image_std'])
    np.testing.assert_array_equal(batch.spatial_shapes.numpy(),
                                  ref['spatial_shapes'])
    np.testing.assert_array_equal(batch.mask.numpy(),
                                  ref['pixel_attention_mask'].astype(bool))
    assert batch.patches.dtype == torch.float32
    np.testing.assert_allclose(batch.patches.numpy(), ref['pixel_values'],
                               rtol=0, atol=1e-6)
    batch.check_grids()
    floats = naflex_collate([image.double() for image in images], patch,
                            budget)
    torch.testing.assert_close(floats.patches, batch.patches, rtol=0, atol=0)


def test_fixture_regions_keep_normalised_coordinates(fixture_dir):
    texts = json.loads((fixture_dir / 'texts.json').read_text())
    resize = NaFlexResize(texts['processor']['patch_size'],
                          texts['processor']['max_num_patches'])
    for (height, width), pixels, norm in zip(texts['images_hw'],
                                             texts['boxes_pixels_xyxy'],
                                             texts['boxes_norm_xyxy']):
        results = resize(dict(img=np.zeros((height, width, 3), np.uint8),
                              region_boxes=np.array([pixels], np.float32)))
        new_h, new_w = results['img_shape']
        np.testing.assert_allclose(
            results['region_boxes'] / [new_w, new_h, new_w, new_h], [norm],
            rtol=1e-6)


# (b) target sizes


@pytest.mark.parametrize('height, width, budget, expected', [
    (48, 64, 20, (64, 80)),      # enlarged to a 4x5 grid (fixture image 0)
    (100, 60, 20, (80, 48)),     # shrunk to 5x3 (fixture image 1)
    (1, 1, 1, (16, 16)),         # a pixel still gets one patch
    (1, 1, 20, (64, 64)),        # 4x4 = 16 fits, 5x5 = 25 does not
    (1, 1, 1024, (112, 112)),    # the scale stops at 100: ceil(100 / 16) = 7
    (10, 1000, 16, (16, 256)),   # one patch high: 1x16
    (1000, 10, 16, (256, 16)),
    (32, 32, 4, (32, 32)),       # budget exactly met: unchanged
    (48, 64, 12, (48, 64)),      # 3x4 = 12 exactly: unchanged
    (32, 32, 7, (32, 32)),       # 3x3 = 9 > 7: stays 2x2
    (1024, 768, 256, (288, 224)),  # 18x14 = 252; 19x14 = 266 > 256
])
def test_target_size_hand_worked(height, width, budget, expected):
    assert naflex_target_size(height, width, 16, budget) == expected


@pytest.mark.parametrize('budget', [1, 5, 20, 64, 256])
def test_target_size_is_the_largest_grid_in_budget(budget):
    for height, width in [(1, 7), (17, 3), (48, 64), (100, 60), (199, 31),
                          (64, 64), (5, 180)]:
        size = naflex_target_size(height, width, 16, budget)
        assert size == exact_target_size(height, width, 16, budget)
        assert size[0] % 16 == 0 and size[1] % 16 == 0


# (c) dynamic buckets


@pytest.mark.parametrize('cells, bucket', [
    (0, 128), (128, 128), (129, 256), (256, 256), (257, 576), (576, 576),
    (577, 784), (784, 784), (785, 1024), (5000, 1024)])
def test_patch_budget_boundaries(cells, bucket):
    assert naflex_patch_budget(16, 16 * cells, 16) == bucket
    assert naflex_patch_budget(16 + 15, 16 * cells + 15, 16) == bucket


def test_dynamic_resize_uses_the_bucket():
    resize = TRANSFORMS.build(dict(type='NaFlexResize',
                                   dynamic_max_patches=True))
    for height, width in [(160, 160), (320, 240), (480, 640)]:
        results = resize(dict(img=np.zeros((height, width, 3), np.uint8)))
        bucket = naflex_patch_budget(height, width, 16)
        assert results['max_num_patches'] == bucket
        assert results['img_shape'] == naflex_target_size(
            height, width, 16, bucket)
        rows, cols = results['naflex_grid']
        assert (rows * 16, cols * 16) == results['img_shape']
        assert rows * cols <= bucket


def test_collate_pads_to_the_batch_max_bucket():
    small = torch.zeros(3, 64, 80, dtype=torch.uint8)
    assert naflex_collate([small], 16, None).patches.shape == (1, 128, 768)
    large = torch.zeros(3, 16, 16 * 130, dtype=torch.uint8)
    batch = naflex_collate([small, large], 16, None)
    assert batch.patches.shape == (2, 256, 768)
    assert batch.mask.sum(1).tolist() == [20, 130]


# (d) patch order


def test_patchify_order():
    channels, size, patch = 3, 4, 2
    c, y, x = torch.meshgrid(torch.arange(channels), torch.arange(size),
                             torch.arange(size), indexing='ij')
    image = 100 * c + 10 * y + x
    expected = torch.tensor([[100 * ch + 10 * (row * patch + i) +
                              (col * patch + j)
                              for i in range(patch) for j in range(patch)
                              for ch in range(channels)]
                             for row in range(size // patch)
                             for col in range(size // patch)])
    torch.testing.assert_close(patchify(image, patch), expected)


def test_collate_normalises_and_pads():
    image = torch.full((3, 32, 16), 255, dtype=torch.uint8)
    image[1] = 0
    batch = naflex_collate([image], 16, 3, mean=(0.5, 0.5, 0.0),
                           std=(0.5, 0.5, 2.0))
    assert batch.spatial_shapes.tolist() == [[2, 1]]
    assert batch.mask.tolist() == [[True, True, False]]
    rows = batch.patches[0, :2].reshape(2, -1, 3)
    assert rows[..., 0].eq(1).all() and rows[..., 1].eq(-1).all()
    assert rows[..., 2].eq(0.5).all() and batch.patches[0, 2].eq(0).all()


# (e) boxes


def test_boxes_rescaled_and_clipped():
    boxes = np.array([[8, 12, 48, 42], [60, 40, 70, 50]], np.float32)
    results = NaFlexResize(16, 20)(dict(
        img=np.zeros((48, 64, 3), np.uint8), region_boxes=boxes.copy(),
        gt_bboxes=HorizontalBoxes(torch.from_numpy(boxes))))
    assert results['img_shape'] == (64, 80)
    assert results['scale_factor'] == (80 / 64, 64 / 48)
    expected = np.array([[10, 16, 60, 56], [75, 53 + 1 / 3, 80, 64]])
    np.testing.assert_allclose(results['region_boxes'], expected, rtol=1e-6)
    np.testing.assert_allclose(results['gt_bboxes'].numpy(), expected,
                               rtol=1e-6)


# (f) errors


@pytest.mark.parametrize('kwargs, message', [
    (dict(patch_size=0), 'patch_size must be at least 1, got 0'),
    (dict(max_num_patches=0), 'max_num_patches must be at least 1, got 0'),
])
def test_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        NaFlexResize(**kwargs)


def test_bad_inputs():
    with pytest.raises(ValueError, match='image height must be at least 1, '
                       'got 0'):
        NaFlexResize()(dict(img=np.zeros((0, 5, 3), np.uint8)))
    with pytest.raises(ValueError, match='patch_size must be at least 1'):
        naflex_patch_budget(16, 16, 0)
    with pytest.raises(ValueError, match='17x16 must be a multiple'):
        patchify(torch.zeros(3, 17, 16), 16)
    image = torch.zeros(3, 32, 32)
    with pytest.raises(ValueError, match='image 1 has 4 patches, more than '
                       'max_num_patches 3'):
        naflex_collate([image[:, :16], image], 16, 3)
    with pytest.raises(ValueError, match=r'image 1 must be \(3, H, W\)'):
        naflex_collate([image, image[0]], 16, 4)
    with pytest.raises(ValueError, match='image 0: image size 32x20'):
        naflex_collate([image[:, :, :20]], 16, 4)
    with pytest.raises(ValueError, match='at least one image'):
        naflex_collate([], 16, 4)
    with pytest.raises(ValueError, match='max_num_patches must be at least 1'):
        naflex_collate([image], 16, 0)
