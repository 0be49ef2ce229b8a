"""Keras-style automatic names: `dense`, `dense_1`, `dense_2`, ..."""

import collections

from nbkeras.utils.registry import to_snake_case

_UIDS = collections.defaultdict(int)


def get_uid(prefix):
    """Return 1 for the first call with `prefix`, then 2, 3, ..."""
    _UIDS[prefix] += 1
    return _UIDS[prefix]


def uniquify(prefix):
    """'dense' the first time, then 'dense_1', 'dense_2', ..."""
    uid = get_uid(prefix)
    return prefix if uid == 1 else f"{prefix}_{uid - 1}"


def auto_name(class_name):
    """The automatic name for a new object of class `class_name`."""
    return uniquify(to_snake_case(class_name))


def clear_session():
    """Reset automatic names (the next Dense is `dense` again)."""
    _UIDS.clear()
