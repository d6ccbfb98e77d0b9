"""Random sources of the generator, one per image and purpose.

Each image draws from its own generator seeded by ``(seed, split, image id,
stream)``, so an image and its texts do not depend on how many images come
before it or on which formats are written.
"""
import numpy as np

SPLITS = ('train', 'val')
STREAMS = ('scene', 'finehard', 'fgovd')


def derive_rng(seed: int, split: str, image_id: int,
               stream: str) -> np.random.Generator:
    """The random generator of one image and purpose.

    Args:
        seed (int): Seed of the whole data set.
        split (str): One of :data:`SPLITS`.
        image_id (int): Image id within the split.
        stream (str): One of :data:`STREAMS`.

    Returns:
        np.random.Generator: A generator seeded from the four values.
    """
    if split not in SPLITS:
        raise ValueError(f'split must be one of {SPLITS}, got {split!r}')
    if stream not in STREAMS:
        raise ValueError(f'stream must be one of {STREAMS}, got {stream!r}')
    return np.random.default_rng(
        [seed, SPLITS.index(split), image_id, STREAMS.index(stream)])
