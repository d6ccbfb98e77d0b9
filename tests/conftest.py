"""Fixtures shared by the test folders."""
import pytest

from fgclip_det.datasets import generate_synthetic_dataset


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    """A generated synthetic data set: 4 train and 2 val images of 64 px."""
    root = tmp_path_factory.mktemp('synthetic')
    generate_synthetic_dataset(
        root, num_train=4, num_val=2, image_size=64, progress=False)
    return root
