"""Input handling shared by the loss functions: float predictions, targets in the
same dtype, Keras's rank fix-up and a readable shape check.
"""

import numpy as np

from nbkeras import config, ops
from nbkeras.losses.loss import (Loss, LossFunctionWrapper, _as_target,
                                 squeeze_or_expand_to_same_rank)
from nbkeras.ops.core import Tensor, unwrap


def as_prediction(y_pred):
    """Return y_pred as a float array or Tensor (lists and integers become floatx)."""
    if isinstance(y_pred, Tensor):
        return y_pred
    p = ops.convert_to_tensor(y_pred)
    return p if p.dtype.kind == "f" else p.astype(config.floatx())


def check_broadcastable(y_true, y_pred):
    """Raise a ValueError naming both shapes when y_true and y_pred do not broadcast."""
    ts, ps = ops.shape(y_true), ops.shape(y_pred)
    try:
        np.broadcast_shapes(ts, ps)
    except ValueError:
        raise ValueError(
            "Arguments `y_true` and `y_pred` must have broadcast-compatible shapes. "
            f"Received: y_true.shape={ts}, y_pred.shape={ps}"
        ) from None


def prepare(y_true, y_pred, same_rank=True):
    """Return (y_true, y_pred) as Keras's loss functions use them.

    y_pred becomes a float array (or stays a Tensor), y_true takes its dtype,
    and, when `same_rank`, a trailing axis of size 1 is squeezed or added so
    the ranks agree. The shapes must then broadcast.
    """
    y_pred = as_prediction(y_pred)
    y_true = _as_target(y_true, y_pred)
    if same_rank:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    check_broadcastable(y_true, y_pred)
    return y_true, y_pred


def const(value, like):
    """A NumPy scalar of `like`'s float dtype (keeps float32 math in float32)."""
    return np.asarray(value, dtype=unwrap(like).dtype)


class PlainConfigWrapper(LossFunctionWrapper):
    """A LossFunctionWrapper whose config holds only `name` and `reduction`, as Keras's does."""

    def get_config(self):
        return Loss.get_config(self)
