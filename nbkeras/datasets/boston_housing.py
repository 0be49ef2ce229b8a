"""Boston Housing: 506 houses, 13 attributes each, and their median price in k$.

Note the dataset's known ethical problem (its "B" attribute); prefer another
dataset except to discuss that. Read from (or downloaded to) Keras's cache,
`~/.keras/datasets/boston_housing.npz`.
"""

import numpy as np

from nbkeras.datasets._download import get_file
from nbkeras.datasets._split import check_test_split, shuffled_split

_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz"
_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Load Boston Housing, shuffled with `seed` and split into train and test sets.

    Args:
        path: the file name in the cache folder (`~/.keras/datasets`).
        test_split: the fraction of samples in the test set, in [0, 1).
        seed: the shuffle seed.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float arrays of shape (n, 13)
        and target prices of shape (n,) (404 training, 102 test samples).

    Example:
        >>> (x_train, y_train), (x_test, y_test) = nbkeras.datasets.boston_housing.load_data()
    """
    check_test_split(test_split)
    path = get_file(path, origin=_ORIGIN, file_hash=_HASH)
    with np.load(path, allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    return shuffled_split(x, y, test_split, seed)
