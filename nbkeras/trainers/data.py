"""Checks and slicing of the arrays given to `fit`, `evaluate` and `predict`."""

import math

import numpy as np

from nbkeras import config
from nbkeras.ops.core import unwrap
from nbkeras.utils import index_utils


def to_array(x, name, strings=False):
    """Convert x (or each array of a list/tuple/dict) to a numeric NumPy array; with
    `strings`, text arrays pass too (for a model with a `dtype="string"` input). `strings`
    may be a function returning the flag, asked only when the data is text."""
    if x is None:
        return None
    if isinstance(x, dict):
        return {k: to_array(v, f"{name}[{k!r}]", strings) for k, v in x.items()}
    if isinstance(x, (list, tuple)) and x and all(hasattr(t, "shape") for t in x):
        return [to_array(t, f"{name}[{i}]", strings) for i, t in enumerate(x)]
    arr = np.asarray(getattr(x, "data", x)) if not isinstance(x, np.ndarray) else x
    if arr.dtype.kind in "US" and arr.ndim and (strings() if callable(strings) else strings):
        return arr
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"Expected numeric data for `{name}` (floats, ints or booleans). "
            f"Received: {name} with dtype {arr.dtype}"
            + (f" (first element {arr.flat[0]!r})" if arr.size else "")
        )
    if arr.ndim == 0:
        raise ValueError(f"Expected `{name}` to have a batch axis. Received: {name}={arr!r}")
    if arr.dtype.kind == "f" and arr.dtype != np.dtype(config.floatx()):
        arr = arr.astype(config.floatx())
    elif arr.dtype.kind == "b":
        arr = arr.astype(config.floatx())
    return arr


def flat(x):
    if x is None:
        return []
    if isinstance(x, dict):
        return list(x.values())
    if isinstance(x, list):
        return x
    return [x]


def check_cardinality(**named):
    """Raise ValueError unless every given array has the same number of samples."""
    sizes = {k: [len(a) for a in flat(v)] for k, v in named.items() if v is not None}
    all_sizes = {s for v in sizes.values() for s in v}
    if len(all_sizes) > 1:
        detail = "\n".join(f"'{k}' sizes: {', '.join(map(str, v))}" for k, v in sizes.items())
        raise ValueError(
            "Data cardinality is ambiguous. Make sure all arrays contain the same number of "
            f"samples.\n{detail}\nReceived: " + ", ".join(f"{k}.shape[0]={v}" for k, v in sizes.items())
        )
    return all_sizes.pop() if all_sizes else 0


def standardize(x, y=None, sample_weight=None, names=("x", "y", "sample_weight"),
                strings=False):
    """`to_array` on x, y and the sample weights, checked to one length: `(x, y, sw, n)`.
    `strings`: x may be text."""
    arrays = [to_array(v, name, strings if i == 0 else False)
              for i, (v, name) in enumerate(zip((x, y, sample_weight), names))]
    return (*arrays, check_cardinality(**dict(zip(names, arrays))))


def apply_class_weight(y, sample_weight, class_weight):
    """The sample weights with `class_weight` ({class: weight}) folded in, if given."""
    if class_weight is None:
        return sample_weight
    cw = class_weight_to_sample_weight(flat(y)[0], class_weight)
    return cw if sample_weight is None else sample_weight * cw


def take(x, idx):
    """Rows `idx` (a slice or an index array) of x, or of each array in x."""
    if x is None:
        return None
    if isinstance(x, dict):
        return {k: _rows(v, idx) for k, v in x.items()}
    if isinstance(x, list):
        return [_rows(v, idx) for v in x]
    return _rows(x, idx)


def _rows(a, idx):
    """`a[idx]`; with an index array, through `ndarray.take` (the same rows in the same
    C-ordered copy, without fancy indexing's setup: 0.3 us for a batch, not 1)."""
    if type(idx) is np.ndarray and idx.dtype.kind in "iu" and type(a) is np.ndarray and a.ndim:
        return a.take(idx, axis=0)
    return a[idx]


def split_at(x, at):
    """(x[:at], x[at:]), applied to each array of x."""
    return take(x, slice(0, at)), take(x, slice(at, None))


def validation_split_point(n, validation_split):
    """The index where training data ends; Keras takes the validation data from the end."""
    if not 0 < validation_split < 1:
        raise ValueError(
            "`validation_split` must be a float between 0 and 1. "
            f"Received: validation_split={validation_split}"
        )
    return int(math.floor(n * (1.0 - validation_split)))


def class_weight_to_sample_weight(y, class_weight):
    """Sample weights from a {class: weight} dict, for integer, one-hot or binary labels."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        classes = np.argmax(y, axis=1)
    else:
        labels = y.reshape(len(y), -1)[:, 0]
        if labels.dtype.kind == "f":
            labels = np.rint(labels)  # Keras rounds binary and sparse labels for class_weight
        bad = index_utils.first_out_of_range(labels, np.inf)
        if bad is not None:
            raise ValueError(
                "`class_weight` needs a non-negative integer class for every sample. Received: "
                f"y with a label of {index_utils.describe(bad[1])} {index_utils.where(bad[0])}")
        classes = labels.astype(np.int64)
    n_classes = int(max(max(class_weight) + 1, classes.max() + 1 if classes.size else 0))
    table = np.ones(n_classes, dtype=config.floatx())
    for k, w in class_weight.items():
        table[int(k)] = w
    return table[classes]


def unpack_validation_data(validation_data):
    """(x, y, sample_weight) from a 2- or 3-tuple."""
    if not isinstance(validation_data, (list, tuple)) or len(validation_data) not in (2, 3):
        raise ValueError(
            "`validation_data` should be a tuple `(x_val, y_val)` or "
            "`(x_val, y_val, val_sample_weight)`. "
            f"Received: validation_data of type {type(validation_data).__name__}"
        )
    if len(validation_data) == 2:
        return validation_data[0], validation_data[1], None
    return tuple(validation_data)


def unpack_x_y_sample_weight(data):
    """`(x, y, sample_weight)` from a batch packed as Keras packs it: `x`, `(x,)`, `(x, y)` or
    `(x, y, sample_weight)` (a list is read as a tuple); missing parts are None.

    Args:
        data: the batch.

    Example:
        >>> x, y, sample_weight = nbkeras.utils.unpack_x_y_sample_weight((x_batch, y_batch))
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
                     f"`(x, y, sample_weight)`. Received: a tuple of length {len(data)}")


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The batch `train_step`/`test_step`/`predict_step` receive, packed as Keras packs it:
    `x` alone (`(x,)` when x is a list or tuple of inputs), `(x, y)` or `(x, y, sample_weight)`.

    Args:
        x: the inputs.
        y: the targets, or None.
        sample_weight: the sample weights, or None.

    Example:
        >>> nbkeras.utils.pack_x_y_sample_weight(x, y)  # (x, y)
    """
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def pythonify_logs(logs):
    """The logs a step returned, flattened (a dict value, such as `compile_metrics`' result,
    is merged in) and sorted by key, with tensors and arrays turned into Python floats where they
    convert, as Keras hands logs to callbacks.

    Args:
        logs: a dict of metric results.

    Example:
        >>> pythonify_logs({"loss": np.float32(0.5), "compile_metrics": {"mae": 0.25}})
        {'loss': 0.5, 'mae': 0.25}
    """
    out = {}
    for key, value in (logs or {}).items():
        if type(value) is not float:
            if isinstance(value, dict):
                out.update(pythonify_logs(value))
                continue
            try:
                value = float(unwrap(value))
            except (TypeError, ValueError):
                pass
        out[key] = value
    return dict(sorted(out.items()))
