"""`Metric` (stateful: update_state, result, reset_state), `Mean` and `MeanMetricWrapper`."""

import numpy as np

from nbkeras.losses.loss import squeeze_or_expand_to_same_rank
from nbkeras.ops.core import unwrap
from nbkeras.utils.registry import to_snake_case


class Metric:
    """Base class of stateful metrics.

    Args:
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> m = nbkeras.metrics.Mean()
        >>> m.update_state([1.0, 3.0])
        >>> m.result()
        2.0
    """

    def __init__(self, name=None, dtype=None):
        self.name = name or to_snake_case(type(self).__name__)
        self.dtype = dtype or "float32"

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def reset_state(self):
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


class Mean(Metric):
    """The (weighted) mean of the values it is given.

    Args:
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> m = nbkeras.metrics.Mean()
        >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
        >>> m.result()
        2.0
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = 0.0
        self.count = 0.0

    def update_state(self, values, sample_weight=None):
        v = np.asarray(unwrap(values), dtype=np.float64)
        if sample_weight is not None:
            sw = np.asarray(unwrap(sample_weight), dtype=np.float64)
            v, sw = squeeze_or_expand_to_same_rank(v, sw)
            if v.ndim > sw.ndim:
                v = v.mean(axis=tuple(range(sw.ndim, v.ndim)))
            sw = np.broadcast_to(sw, v.shape)
            v = v * sw
            if sw.ndim > 1:
                sw = sw.mean(axis=tuple(range(1, sw.ndim)))
            self.count += float(np.sum(sw))
        else:
            self.count += float(v.shape[0]) if v.ndim else 1.0
        if v.ndim > 1:
            v = v.mean(axis=tuple(range(1, v.ndim)))
        self.total += float(np.sum(v))

    def result(self):
        return float(np.float32(self.total / self.count)) if self.count else 0.0

    def reset_state(self):
        self.total = 0.0
        self.count = 0.0


class MeanMetricWrapper(Mean):
    """Averages a per-sample function `fn(y_true, y_pred, **kwargs)` over all samples seen.

    Args:
        fn: the per-sample function.
        name: the metric name.
        dtype: the dtype of the result.
        **kwargs: extra arguments for `fn`.
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", "mean"), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = np.asarray(unwrap(y_true))
        y_pred = np.asarray(unwrap(y_pred))
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        super().update_state(values, sample_weight)

    def get_config(self):
        cfg = super().get_config()
        cfg.update(self._fn_kwargs)
        return cfg
