"""Fixtures shared by the engine tests."""
from pathlib import Path

import pytest

from fgclip_det.datasets.synthetic import generate_synthetic_dataset


@pytest.fixture(scope='module')
def data_root(tmp_path_factory) -> Path:
    """A tiny synthetic set (8 train / 4 val images at 128 px) per module."""
    root = tmp_path_factory.mktemp('engine') / 'synthetic'
    generate_synthetic_dataset(root, num_train=8, num_val=4, image_size=128,
                               seed=0, progress=False)
    return root
