"""Fashion-MNIST: 70,000 28x28 grayscale images of 10 kinds of clothing.

Labels: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal,
6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot. Read from (or downloaded to)
Keras's cache, the four gzipped IDX files in `~/.keras/datasets/fashion-mnist/`.
"""

import gzip
import os

import numpy as np

from nbkeras.datasets._download import get_file

_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_SUBDIR = os.path.join("datasets", "fashion-mnist")
_FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
          "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")


def _read_idx(path, header_bytes):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=header_bytes)


def load_data():
    """Load Fashion-MNIST, downloading it into Keras's cache the first time.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images of shape
        (60000, 28, 28) and (10000, 28, 28) with pixels 0..255, and uint8
        labels 0..9 of shape (60000,) and (10000,).

    Example:
        >>> (x_train, y_train), (x_test, y_test) = nbkeras.datasets.fashion_mnist.load_data()
        >>> x_test.shape
        (10000, 28, 28)
    """
    paths = [get_file(name, origin=_ORIGIN + name, cache_subdir=_SUBDIR) for name in _FILES]
    y_train = _read_idx(paths[0], 8)
    x_train = _read_idx(paths[1], 16).reshape(len(y_train), 28, 28)
    y_test = _read_idx(paths[2], 8)
    x_test = _read_idx(paths[3], 16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
