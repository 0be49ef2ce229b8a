"""Checks of integer data (class labels, embedding indices) given as ints or floats.

Floats are cast as Keras casts them (truncated toward zero), so `2.7` is class 2;
NaN, inf and values outside the range are reported by value and position, never as
the integer a cast would make of them. Device arrays are checked where they are (their
minimum and maximum come back to the host); only a bad one is copied to find the culprit.
"""

import numpy as np

from nbkeras.backend import active as _device


def describe(value):
    """`NaN`, `inf`, `-inf`, an int for a whole number, else the value as written."""
    v = float(value)
    if np.isnan(v):
        return "NaN"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return str(int(v)) if v == int(v) and abs(v) < 1e15 else f"{v:g}"


def first_out_of_range(values, high, low=0, allowed=None):
    """The first `(position, value)` of `values` that is not an integer in [low, high)
    once truncated (NaN and inf never are), or None when every value is fine.

    Args:
        values: an array of ints or floats.
        high: the first value that is too large.
        low: the smallest valid value.
        allowed: one more valid value (a loss's `ignore_class`), or None.

    Example:
        >>> first_out_of_range(np.array([0.0, 2.5, np.nan]), 3)
        ((2,), nan)
    """
    a = values if isinstance(values, _device.xp.ndarray) else np.asarray(values)
    if not a.size:
        return None
    if a.size <= _FEW and type(a) is np.ndarray:  # (a test_on_batch of a few labels: no
        fine = _all_in(a.ravel().tolist(), low, high, a.dtype.kind == "f")  # reductions)
    else:
        lo, hi = _device.to_numpy(_device.xp.stack([a.min(), a.max()])).tolist()
        if a.dtype.kind == "f":
            fine = lo > low - 1 and hi < high  # NaN makes both comparisons False
        else:
            fine = lo >= low and hi < high
    if fine:
        return None
    a = _device.to_numpy(a)
    if a.dtype.kind == "f":
        bad = ~((a > low - 1) & (a < high))
    else:
        bad = (a < low) | (a >= high)
    if allowed is not None:
        bad &= a != allowed
    if not bad.any():
        return None
    pos = np.unravel_index(int(np.argmax(bad)), a.shape)
    return tuple(int(p) for p in pos), a[pos]


_FEW = 16  # values checked one by one in Python below this many (min and max cost more)


def _all_in(values, low, high, floats):
    """`first_out_of_range`'s test on a few values as Python numbers (NaN fails it)."""
    if floats:
        return all(low - 1 < v < high for v in values)
    return all(low <= v < high for v in values)


def where(position):
    """`at sample 5` for a 1-D position, `at sample 5, position (2,)` for deeper ones."""
    if len(position) <= 1:
        return f"at sample {position[0]}" if position else ""
    rest = position[1:]
    return f"at sample {position[0]}, position {rest if len(rest) > 1 else rest[0]}"
