"""The shuffle-and-split shared by the regression datasets (Keras's `RandomState(seed)` order)."""

import numpy as np


def shuffled_split(x, y, test_split, seed):
    """Shuffle `x`, `y` together with `RandomState(seed)` and cut off the last `test_split`.

    Args:
        x, y: arrays with the same number of rows.
        test_split: the fraction of rows in the test set, in [0, 1).
        seed: the shuffle seed.

    Returns:
        `(x_train, y_train), (x_test, y_test)`.

    Example:
        >>> (a, b), (c, d) = shuffled_split(np.arange(10), np.arange(10), 0.2, 113)
    """
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    n_train = int(len(x) * (1 - test_split))
    return (np.array(x[:n_train]), np.array(y[:n_train])), (np.array(x[n_train:]),
                                                          np.array(y[n_train:]))


def check_test_split(test_split):
    """Keras's check: `test_split` lies in [0, 1)."""
    if not 0 <= test_split < 1:
        raise ValueError(f"`test_split` must be in [0, 1). Received: test_split={test_split}")
