"""CIFAR-10: 60,000 32x32 colour images in 10 classes.

Labels: 0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer, 5 dog, 6 frog,
7 horse, 8 ship, 9 truck. Read from (or downloaded to) Keras's cache: the
archive `~/.keras/datasets/cifar-10-batches-py-target_archive`, extracted next
to it (an older Keras's `~/.keras/datasets/cifar-10-batches-py/` works too).
"""

import os

import numpy as np

from nbkeras.datasets._cifar import batches_folder, load_batch

_ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"


def load_data():
    """Load CIFAR-10, downloading (163 MiB) and extracting it the first time.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images of shape
        (50000, 32, 32, 3) and (10000, 32, 32, 3) (channels last), and uint8
        labels 0..9 of shape (50000, 1) and (10000, 1).

    Example:
        >>> (x_train, y_train), (x_test, y_test) = nbkeras.datasets.cifar10.load_data()
        >>> y_train.shape
        (50000, 1)
    """
    folder = batches_folder("cifar-10-batches-py", _ORIGIN, _HASH, "test_batch")
    xs, ys = [], []
    for i in range(1, 6):
        x, y = load_batch(os.path.join(folder, f"data_batch_{i}"))
        xs.append(x)
        ys.append(np.asarray(y, dtype=np.uint8))
    x_test, y_test = load_batch(os.path.join(folder, "test_batch"))
    x_train = np.concatenate(xs).transpose(0, 2, 3, 1)
    y_train = np.concatenate(ys).reshape(-1, 1)
    x_test = x_test.transpose(0, 2, 3, 1).astype(np.uint8)
    y_test = np.asarray(y_test, dtype=np.uint8).reshape(-1, 1)
    return (x_train, y_train), (x_test, y_test)
