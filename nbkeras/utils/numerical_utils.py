"""`to_categorical` and `normalize`."""

import numpy as np


def to_categorical(x, num_classes=None):
    """One-hot encode integer class labels.

    Args:
        x: integer labels (any shape; a trailing axis of size 1 is dropped).
        num_classes: the number of classes (max label + 1 by default).

    Returns:
        A float64 array (as Keras 3 returns) with a new last axis of size `num_classes`.

    Example:
        >>> nbkeras.utils.to_categorical([0, 2], num_classes=3)
        array([[1., 0., 0.],
               [0., 0., 1.]], dtype=float32)
    """
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"to_categorical expects integer labels. Received: x of dtype {arr.dtype}")
    if arr.dtype.kind == "f":
        if not np.all(np.equal(np.mod(arr, 1), 0)):
            raise ValueError("to_categorical expects integer labels. Received: non-integer values in x")
    labels = arr.astype(np.int64)
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels.reshape(labels.shape[:-1])
    if labels.size and labels.min() < 0:
        raise ValueError(f"Labels must be non-negative. Received: a label of {int(labels.min())}")
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    elif labels.size and labels.max() >= num_classes:
        raise ValueError(
            f"Labels must be smaller than num_classes={num_classes}. "
            f"Received: a label of {int(labels.max())}"
        )
    out = np.zeros(labels.shape + (num_classes,), dtype=np.float64)
    np.put_along_axis(out, labels[..., None], 1.0, axis=-1)
    return out


def normalize(x, axis=-1, order=2):
    """Scale x to unit `order`-norm along `axis`."""
    arr = np.asarray(x, dtype=np.float32)
    norm = np.linalg.norm(arr, ord=order, axis=axis, keepdims=True)
    return arr / np.where(norm == 0, 1, norm)
