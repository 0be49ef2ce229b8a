"""MNIST: 70,000 28x28 grayscale images of handwritten digits.

Read from (or downloaded to) Keras's cache, `~/.keras/datasets/mnist.npz`.
"""

import numpy as np

from nbkeras.datasets._download import get_file

_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def load_data(path="mnist.npz"):
    """Load MNIST, downloading it into Keras's cache the first time.

    Args:
        path: the file name in the cache folder (`~/.keras/datasets`).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images of shape
        (60000, 28, 28) and (10000, 28, 28) with pixels 0..255, and uint8
        labels 0..9 of shape (60000,) and (10000,).

    Example:
        >>> (x_train, y_train), (x_test, y_test) = nbkeras.datasets.mnist.load_data()
        >>> x_train.shape
        (60000, 28, 28)
    """
    path = get_file(fname=path, origin=_ORIGIN, file_hash=_HASH)
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
