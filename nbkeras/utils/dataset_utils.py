"""`split_dataset` for NumPy data: an array, or a tuple / list / dict of arrays."""

import random

import numpy as np


def _split_sizes(left, right, total):
    """Keras's rules for `left_size` / `right_size` (int counts or float fractions)."""
    for name, v in (("left_size", left), ("right_size", right)):
        if v is not None and type(v) not in (int, float):
            raise TypeError(f"Invalid `{name}` type. It should be one of float, int or None. "
                            f"Received: {name}={v} of type {type(v)}")
    if left == 0 and right == 0:
        raise ValueError("Both `left_size` and `right_size` are zero. At least one of the "
                         f"split sizes must be non-zero. Received: left_size={left}, "
                         f"right_size={right}")
    for name, v in (("left_size", left), ("right_size", right)):
        if type(v) is int and not 0 < v < total or type(v) is float and not 0 < v < 1:
            raise ValueError(f"`{name}` should be either a positive integer smaller than "
                             f"{total}, or a float within the range `[0, 1]`. "
                             f"Received: {name}={v}")
    if type(left) is float and type(right) is float and left + right > 1:
        raise ValueError("The sum of `left_size` and `right_size` is greater than 1. It must "
                         f"be less than or equal to 1. Received: left_size={left}, "
                         f"right_size={right}")
    left = round(left * total) if type(left) is float else left
    right = round(right * total) if type(right) is float else right
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError("The sum of `left_size` and `right_size` should be smaller than the "
                         f"{total} samples. Received: left_size + right_size = {left + right}")
    for v, side in ((left, "left"), (right, "right")):
        if v == 0:
            raise ValueError(f"With `dataset` of length {total}, `left_size`={left} and "
                             f"`right_size`={right}. Resulting {side} side dataset split will "
                             "be empty. Adjust any of the aforementioned parameters")
    return int(left), int(right)


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None):
    """Split NumPy data into two parts along the first axis.

    Without TensorFlow there are no `tf.data.Dataset`s: the splits come back in the
    input's structure (an array, or a tuple / list / dict of arrays), and a
    `tf.data.Dataset` input is not supported. The order of the samples matches Keras's
    (Python's `random` shuffled with `seed`).

    Args:
        dataset: an array, or a tuple / list / dict of arrays with the same length.
        left_size: the left part's size (an int) or fraction (a float in (0, 1)).
        right_size: the same for the right part; the other side takes the rest.
        shuffle: shuffle the samples first.
        seed: the shuffle seed.

    Returns:
        `(left, right)`, each with the structure of `dataset`.

    Example:
        >>> (x1, y1), (x2, y2) = nbkeras.utils.split_dataset(
        ...     (np.zeros((10, 3)), np.arange(10)), left_size=0.8)
        >>> len(x1), len(x2)
        (8, 2)
    """
    if isinstance(dataset, dict):
        keys = list(dataset)
        parts = [np.asarray(dataset[k]) for k in keys]
    elif isinstance(dataset, (tuple, list)) and dataset and all(
            np.ndim(p) >= 1 for p in dataset) and len({len(p) for p in dataset}) == 1 and not \
            isinstance(dataset[0], (int, float)):
        parts = [np.asarray(p) for p in dataset]
    elif isinstance(dataset, np.ndarray) or isinstance(dataset, (list, tuple)):
        parts = None
    else:
        raise TypeError("The `dataset` argument must be a NumPy array or a tuple / list / dict "
                        "of arrays (tf.data.Dataset needs TensorFlow). "
                        f"Received: dataset of type {type(dataset)}")
    if left_size is None and right_size is None:
        raise ValueError("At least one of the `left_size` or `right_size` must be specified. "
                         "Received: left_size=None and right_size=None")
    total = len(dataset) if parts is None else len(parts[0])
    order = list(range(total))
    if shuffle:
        if seed is None:
            seed = random.randint(0, int(1e6))
        random.Random(seed).shuffle(order)
    left, right = _split_sizes(left_size, right_size, total)
    picks = (np.asarray(order[:left]), np.asarray(order[total - right:]))
    if parts is None:
        arr = np.asarray(dataset)
        return tuple(arr[p] for p in picks)
    out = []
    for p in picks:
        cut = [a[p] for a in parts]
        out.append(dict(zip(keys, cut)) if isinstance(dataset, dict) else type(dataset)(cut))
    return tuple(out)
