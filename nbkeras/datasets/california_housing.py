"""California Housing: 20,640 census block groups, 8 features each, and the median house value.

Read from (or downloaded to) Keras's cache, `~/.keras/datasets/california_housing.npz`.
`version="small"` keeps the first 600 samples (Keras's stand-in for Boston Housing).
"""

import numpy as np

from nbkeras.datasets._download import get_file
from nbkeras.datasets._split import check_test_split, shuffled_split

_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/california_housing.npz"
_HASH = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"


def load_data(version="large", path="california_housing.npz", test_split=0.2, seed=113):
    """Load California Housing, shuffled with `seed` and split into train and test sets.

    Args:
        version: "large" (20,640 samples) or "small" (the first 600).
        path: the file name in the cache folder (`~/.keras/datasets`).
        test_split: the fraction of samples in the test set, in [0, 1).
        seed: the shuffle seed.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: features of shape (n, 8) (median
        income, house age, average rooms, average bedrooms, population, average
        occupancy, latitude, longitude) and house values in dollars of shape (n,).

    Example:
        >>> (x_train, y_train), _ = nbkeras.datasets.california_housing.load_data(version="small")
    """
    check_test_split(test_split)
    if version not in ("small", "large"):
        raise ValueError(f"Argument `version` must be one of 'small', 'large'. "
                         f"Received: version={version!r}")
    path = get_file(path, origin=_ORIGIN, file_hash=_HASH)
    with np.load(path, allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    if version == "small":
        x, y = x[:600], y[:600]
    return shuffled_split(x, y, test_split, seed)
