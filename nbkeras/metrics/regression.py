"""Regression metrics: MSE, MAE, MAPE, MSLE, RMSE, log-cosh and cosine similarity.

The per-sample functions are the losses' (as in Keras), except the metric's
cosine similarity, which is positive (the loss is its negative).
"""

import numpy as np

from nbkeras import config
from nbkeras.losses import (
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from nbkeras.metrics.reduction import Mean, MeanMetricWrapper, NameDtypeConfig
from nbkeras.metrics.utils import same_rank, to_array


def _pair(y_true, y_pred):
    """(y_true, y_pred) as float arrays of y_pred's dtype, with matched ranks."""
    y_pred = to_array(y_pred)
    if y_pred.dtype.kind != "f":
        y_pred = y_pred.astype(config.floatx())
    return same_rank(to_array(y_true, y_pred.dtype), y_pred)


def _l2_normalize(x, axis):
    with np.errstate(divide="ignore"):
        inv = 1.0 / np.sqrt(np.sum(np.square(x), axis=axis, keepdims=True))
    inv = np.minimum(inv, x.dtype.type(1.0 / config.epsilon()))
    return x * inv.astype(x.dtype)


def cosine_similarity(y_true, y_pred, axis=-1):
    """Sum over `axis` of l2_normalize(y_true) * l2_normalize(y_pred) (the metric's, positive).

    Args:
        y_true: the targets.
        y_pred: the predictions.
        axis: the axis of the vectors (-1).

    Example:
        >>> nbkeras.metrics.regression.cosine_similarity([[0.0, 1.0]], [[1.0, 1.0]])
        array([0.70710677], dtype=float32)
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return np.sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis=axis)


class MeanSquaredError(NameDtypeConfig, MeanMetricWrapper):
    """The mean squared error between labels and predictions.

    Args:
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> m = nbkeras.metrics.MeanSquaredError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> m.result()
        0.25
    """

    on_device = True  # its fn is the loss function, made of device ops

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(NameDtypeConfig, MeanMetricWrapper):
    """The mean absolute error between labels and predictions.

    Args:
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> nbkeras.metrics.MeanAbsoluteError()([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        0.25
    """

    on_device = True  # its fn is the loss function, made of device ops

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(NameDtypeConfig, MeanMetricWrapper):
    """The mean absolute percentage error between labels and predictions.

    Args:
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> nbkeras.metrics.MeanAbsolutePercentageError()([[1.0, 2.0]], [[1.5, 2.0]])
        25.0
    """

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(NameDtypeConfig, MeanMetricWrapper):
    """The mean squared logarithmic error between labels and predictions.

    Args:
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> nbkeras.metrics.MeanSquaredLogarithmicError()([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        0.12011322
    """

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, name=name, dtype=dtype)


class LogCoshError(NameDtypeConfig, MeanMetricWrapper):
    """The mean of log(cosh(prediction error)).

    Args:
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> nbkeras.metrics.LogCoshError()([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        0.10844523
    """

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(log_cosh, name=name, dtype=dtype)


class CosineSimilarity(NameDtypeConfig, MeanMetricWrapper):
    """The mean cosine similarity between labels and predictions along `axis`.

    Args:
        name: the metric name.
        dtype: the dtype of the result.
        axis: the axis along which the similarity is computed (-1).

    Example:
        >>> m = nbkeras.metrics.CosineSimilarity(axis=1)
        >>> m([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]])
        0.49999997
    """

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)


class RootMeanSquaredError(NameDtypeConfig, Mean):
    """The square root of the (weighted) mean squared error.

    Args:
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> nbkeras.metrics.RootMeanSquaredError()([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        0.5
    """

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = same_rank(to_array(y_true, self.dtype), to_array(y_pred, self.dtype))
        return super().update_state(np.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        mean = super().result()
        return float(np.sqrt(np.asarray(mean, dtype=self.dtype)))
