"""The 8x8 handwritten digits, bundled with nbkeras: no download needed.

1,797 images of the UCI "Optical Recognition of Handwritten Digits" test set
(see DIGITS_SOURCE.txt for the source and licence), pixels 0..16.
"""

import os

import numpy as np

_PATH = os.path.join(os.path.dirname(__file__), "digits.npz")


def load_data(test_split=0.2, seed=113):
    """Load the digits, shuffled with `seed` and split into train and test sets.

    Args:
        test_split: the fraction of samples in the test set.
        seed: the shuffle seed.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images of shape (n, 8, 8)
        with values 0..16, and uint8 labels 0..9.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = nbkeras.datasets.digits.load_data()
        >>> x_train.shape
        (1438, 8, 8)
    """
    if not 0 <= test_split < 1:
        raise ValueError(f"`test_split` must be in [0, 1). Received: test_split={test_split}")
    with np.load(_PATH) as f:
        x, y = f["x"], f["y"]
    order = np.random.RandomState(seed).permutation(len(x))
    x, y = x[order], y[order]
    n_train = int(round(len(x) * (1 - test_split)))
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])
