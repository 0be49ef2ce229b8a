"""CIFAR-100: 60,000 32x32 colour images in 100 classes, grouped in 20 superclasses.

Read from (or downloaded to) Keras's cache: the archive
`~/.keras/datasets/cifar-100-python-target_archive`, extracted next to it (an
older Keras's `~/.keras/datasets/cifar-100-python/` works too).
"""

import os

import numpy as np

from nbkeras.datasets._cifar import batches_folder, load_batch

_ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
_HASH = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"


def load_data(label_mode="fine"):
    """Load CIFAR-100, downloading (161 MiB) and extracting it the first time.

    Args:
        label_mode: `"fine"` for the 100 classes, `"coarse"` for the 20 superclasses.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images of shape
        (50000, 32, 32, 3) and (10000, 32, 32, 3) (channels last), and labels
        of shape (50000, 1) and (10000, 1).

    Example:
        >>> (x_train, y_train), _ = nbkeras.datasets.cifar100.load_data("coarse")
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError('`label_mode` must be one of "fine", "coarse". '
                         f"Received: label_mode={label_mode!r}")
    folder = batches_folder("cifar-100-python", _ORIGIN, _HASH, "test")
    out = []
    for part in ("train", "test"):
        x, y = load_batch(os.path.join(folder, part), label_key=f"{label_mode}_labels")
        out.append((x.transpose(0, 2, 3, 1), np.reshape(y, (len(y), 1))))
    return tuple(out)
