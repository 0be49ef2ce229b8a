"""The batches that a preprocessing layer's `adapt(data)` reads: an array, a list of batches,
a `PyDataset` or any iterable of batches (the x of `(x, y)` tuples)."""

import numpy as np

from nbkeras.ops.core import unwrap


def _x_of(batch):
    if isinstance(batch, tuple):
        return batch[0]
    return batch


def adapt_batches(data, layer_name):
    """Yield the batches of `data` as NumPy arrays (one batch for a plain array).

    Args:
        data: an array (or nested list of values), a `PyDataset`, or an iterable of batches.
        layer_name: the layer's name, for the error message.

    Example:
        >>> [b.shape for b in adapt_batches(np.zeros((4, 2)), "normalization")]
        [(4, 2)]
    """
    from nbkeras.utils.py_dataset import PyDataset

    if isinstance(data, (np.ndarray, str, bytes)) or hasattr(data, "__array__"):
        yield np.asarray(unwrap(data))
        return
    if isinstance(data, PyDataset):
        for i in range(len(data)):
            yield np.asarray(unwrap(_x_of(data[i])))
        return
    if isinstance(data, (list, tuple)):
        arr = np.asarray(data, dtype=object if _ragged(data) else None)
        if arr.dtype != object:  # a plain nested list of values is one batch
            yield arr
            return
    if not hasattr(data, "__iter__"):
        raise TypeError(f"Layer '{layer_name}': `adapt` expects a NumPy array, a PyDataset or an "
                        f"iterable of batches. Received: data of type {type(data).__name__}")
    empty = True
    for batch in data:
        empty = False
        yield np.asarray(unwrap(_x_of(batch)))
    if empty:
        raise ValueError(f"Layer '{layer_name}': adapt() received an empty iterable (no batches). "
                         "Expected at least one batch. Received: data=[]")


def _ragged(data):
    try:
        np.asarray(data)
        return False
    except ValueError:
        return True
