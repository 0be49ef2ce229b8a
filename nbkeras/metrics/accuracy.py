"""Accuracy metrics: binary, categorical and sparse categorical, as Keras 3 defines them."""

import numpy as np

from nbkeras.losses.loss import squeeze_or_expand_to_same_rank
from nbkeras.metrics.metric import MeanMetricWrapper
from nbkeras.ops.core import unwrap


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where (y_pred > threshold) equals y_true, elementwise.

    Example:
        >>> nbkeras.metrics.binary_accuracy([[1.0], [0.0]], [[0.7], [0.6]])
        array([[1.],
               [0.]], dtype=float32)
    """
    t = np.asarray(unwrap(y_true))
    p = np.asarray(unwrap(y_pred))
    t, p = squeeze_or_expand_to_same_rank(t, p)
    return np.equal(t, (p > threshold).astype(t.dtype)).astype(np.float32)


def categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_true) equals argmax(y_pred), per sample.

    Example:
        >>> nbkeras.metrics.categorical_accuracy([[0, 1]], [[0.3, 0.7]])
        array([1.], dtype=float32)
    """
    t = np.asarray(unwrap(y_true))
    p = np.asarray(unwrap(y_pred))
    return np.equal(np.argmax(t, axis=-1), np.argmax(p, axis=-1)).astype(np.float32)


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the integer label equals argmax(y_pred), per sample.

    Example:
        >>> nbkeras.metrics.sparse_categorical_accuracy([1], [[0.3, 0.7]])
        array([1.], dtype=float32)
    """
    t = np.asarray(unwrap(y_true))
    p = np.asarray(unwrap(y_pred))
    if t.ndim == p.ndim and t.ndim and t.shape[-1] == 1:
        t = t.reshape(t.shape[:-1])
    return np.equal(t.astype(np.float64), np.argmax(p, axis=-1)).astype(np.float32)


class BinaryAccuracy(MeanMetricWrapper):
    """How often predictions above `threshold` match binary labels.

    Args:
        name: the metric name.
        dtype: the dtype of the result.
        threshold: the decision threshold (0.5).

    Example:
        >>> m = nbkeras.metrics.BinaryAccuracy()
        >>> m([[1.0], [0.0]], [[0.7], [0.6]])
        0.5
    """

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often argmax of predictions matches argmax of one-hot labels.

    Example:
        >>> nbkeras.metrics.CategoricalAccuracy()([[0, 1]], [[0.3, 0.7]])
        1.0
    """

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often argmax of predictions matches integer labels.

    Example:
        >>> nbkeras.metrics.SparseCategoricalAccuracy()([1], [[0.3, 0.7]])
        1.0
    """

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly.

    Example:
        >>> nbkeras.metrics.Accuracy()([1, 2], [1, 3])
        0.5
    """

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


def accuracy(y_true, y_pred):
    """1.0 where y_pred equals y_true, elementwise."""
    return np.equal(np.asarray(unwrap(y_true)), np.asarray(unwrap(y_pred))).astype(np.float32)
