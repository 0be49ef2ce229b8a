"""`R2Score`: the coefficient of determination of regression outputs."""

import warnings

import numpy as np

from nbkeras.metrics.metric import Metric, as_result
from nbkeras.metrics.utils import same_rank, to_array


class R2Score(Metric):
    """R^2 = 1 - sum of squared residuals / total sum of squares, per output column.

    Args:
        class_aggregation: 'uniform_average' (default: the mean over columns),
            'variance_weighted_average' (weighted by each column's variance) or None
            (one score per column).
        num_regressors: the number of independent variables, for the adjusted R^2 (0: plain).
        name: the metric name.
        dtype: the dtype of the state and result.

    Example:
        >>> m = nbkeras.metrics.R2Score()
        >>> m(np.array([[1.0], [2.0], [3.0]]), np.array([[1.0], [2.5], [2.5]]))
        0.75
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score",
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError(f"Invalid value for argument `class_aggregation`. Expected one of "
                             f"{valid}. Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value >= "
                             f"0. Received: num_regressors={num_regressors}")
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        self.num_samples = self.add_variable((), name="num_samples")
        self._built = False

    def _build(self, true_shape, pred_shape):
        if len(pred_shape) != 2 or len(true_shape) != 2:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={pred_shape} and "
                             f"y_true.shape={true_shape}.")
        n = pred_shape[-1]
        self.squared_sum = self.add_variable((n,), name="squared_sum")
        self.sum = self.add_variable((n,), name="sum")
        self.total_mse = self.add_variable((n,), name="residual")
        self.count = self.add_variable((n,), name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        t, p = same_rank(to_array(y_true, self.dtype), to_array(y_pred, self.dtype))
        if not self._built:
            self._build(t.shape, p.shape)
        w = np.asarray(1.0 if sample_weight is None else to_array(sample_weight, self.dtype),
                       self.dtype)
        if w.ndim == 1:
            w = w[:, None]
        w = np.broadcast_to(w, t.shape)
        self.sum.assign_add((t * w).sum(axis=0))
        self.squared_sum.assign_add((t * t * w).sum(axis=0))
        self.total_mse.assign_add(((t - p) ** 2 * w).sum(axis=0))
        self.count.assign_add(w.sum(axis=0))
        self.num_samples.assign_add(np.asarray(t.size, self.dtype))

    def result(self):
        if not self._built:
            return as_result(0.0, self.dtype)
        s, sq = self.sum.numpy(), self.squared_sum.numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            total = sq - s * (s / self.count.numpy())
            raw = 1 - self.total_mse.numpy() / total
        raw = np.where(np.isinf(raw), 0.0, raw)
        if self.class_aggregation == "uniform_average":
            score = np.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = np.sum(total * raw) / np.sum(total)
        else:
            score = raw
        n, k = float(self.num_samples.numpy()), self.num_regressors
        if k:
            if k > n - 1:
                warnings.warn("More independent predictors than datapoints in adjusted R2 "
                              "score. Falling back to standard R2 score.", stacklevel=2)
            elif k == n - 1:
                warnings.warn("Division by zero in Adjusted R2 score. Falling back to "
                              "standard R2 score.", stacklevel=2)
            else:
                score = 1.0 - (1.0 - score) * (n - 1.0) / (n - k - 1.0)
        return as_result(score, self.dtype)

    def reset_state(self):
        for v in self.variables:
            v.assign(np.zeros(v.shape, v.dtype))

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype,
                "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
