"""`Loss` base class and Keras's reduction rules.

A loss maps (y_true, y_pred) to per-sample values, multiplies them by any
sample weights, then reduces: `'sum_over_batch_size'` (the default) divides the
weighted sum by the number of values, whatever the weights.
"""

import numpy as np

from nbkeras import config, ops
from nbkeras.ops.core import Tensor, unwrap

REDUCTIONS = ("sum", "sum_over_batch_size", "mean", "mean_with_sample_weight", "none", None)


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Squeeze or expand the last axis of one input when the ranks differ by one."""
    r1, r2 = len(ops.shape(x1)), len(ops.shape(x2))
    if r1 == r2 + 1 and ops.shape(x1)[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = ops.expand_dims(x2, -1)
        else:
            x1 = ops.squeeze(x1, -1)
    elif r2 == r1 + 1 and ops.shape(x2)[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = ops.expand_dims(x1, -1)
        else:
            x2 = ops.squeeze(x2, -1)
    return x1, x2


def reduce_weighted_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Weight per-sample values and reduce them as Keras does."""
    if sample_weight is not None:
        sw = np.asarray(unwrap(sample_weight), dtype=unwrap(values).dtype)
        values, sw = squeeze_or_expand_to_same_rank(values, sw)
        values = ops.multiply(values, sw)
    else:
        sw = None
    shape = ops.shape(values)
    if reduction in (None, "none") or shape in ((), (0,)):
        return values
    if reduction == "sum":
        return ops.sum(values)
    if reduction == "mean_with_sample_weight" and sw is not None:
        total = float(np.sum(sw))
        return ops.divide(ops.sum(values), np.asarray(total, unwrap(values).dtype)) if total else ops.multiply(ops.sum(values), 0.0)
    # sum_over_batch_size / mean: the weighted sum divided by the number of values.
    return ops.mean(values)


class Loss:
    """Base class of losses: override `call(y_true, y_pred)` to return per-sample values.

    Args:
        name: the loss name.
        reduction: `'sum_over_batch_size'`, `'sum'`, `'mean'`,
            `'mean_with_sample_weight'` or `'none'`.
        dtype: the dtype of the computation.

    Example:
        >>> class MyMAE(nbkeras.losses.Loss):
        ...     def call(self, y_true, y_pred):
        ...         return nbkeras.ops.mean(nbkeras.ops.abs(y_pred - y_true), axis=-1)
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction not in REDUCTIONS:
            raise ValueError(
                f"Invalid value for argument `reduction`. Expected one of {list(REDUCTIONS)}. "
                f"Received: reduction={reduction!r}"
            )
        self.name = name or type(self).__name__.lower()
        self.reduction = reduction
        self.dtype = dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        if not isinstance(y_pred, Tensor):
            # Lists, scalars and integer arrays become floatx, as Keras converts them.
            is_float_array = isinstance(y_pred, np.ndarray) and y_pred.dtype.kind == "f"
            y_pred = np.asarray(y_pred)
            if not is_float_array or (self.dtype and y_pred.dtype != np.dtype(self.dtype)):
                y_pred = y_pred.astype(self.dtype or config.floatx())
        losses = self.call(y_true, y_pred)
        return reduce_weighted_values(losses, sample_weight, self.reduction)

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class LossFunctionWrapper(Loss):
    """A Loss that calls `fn(y_true, y_pred, **kwargs)` for per-sample values.

    Args:
        fn: the loss function.
        reduction: how per-sample values are reduced.
        name: the loss name.
        **kwargs: extra arguments for `fn`.
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true = _as_target(y_true, y_pred)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        cfg = super().get_config()
        cfg.update(self._fn_kwargs)
        return cfg


def _as_target(y_true, y_pred):
    dtype = unwrap(y_pred).dtype
    if isinstance(y_true, Tensor):
        return y_true if y_true.dtype == dtype else ops.cast(y_true, dtype)
    t = np.asarray(y_true)
    return t if t.dtype == dtype else ops.cast(t, dtype)  # an op: a traced step replays it
