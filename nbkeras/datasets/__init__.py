"""Datasets with Keras's `load_data()` signatures.

`digits` ships with nbkeras and needs no download. The others are read from
Keras's cache (`$KERAS_HOME/datasets`, else `~/.keras/datasets`), under Keras's
file names, so a cache filled by Keras works offline; a missing file is
downloaded from Keras's source, checked against Keras's hash and written
atomically.

Example:
    >>> (x_train, y_train), (x_test, y_test) = nbkeras.datasets.digits.load_data()
    >>> (x_train, y_train), (x_test, y_test) = nbkeras.datasets.mnist.load_data()
"""

from nbkeras.datasets import (  # noqa: F401
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    digits,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)
