"""Datasets with Keras's `load_data()` signatures.

`digits` ships with nbkeras and needs no download.

Example:
    >>> (x_train, y_train), (x_test, y_test) = nbkeras.datasets.digits.load_data()
"""

from nbkeras.datasets import digits  # noqa: F401
