"""Top-k accuracy metrics: is the target among the k highest-scored classes?"""

import numpy as np

from nbkeras import config
from nbkeras.metrics.reduction import MeanMetricWrapper
from nbkeras.metrics.utils import to_array


def in_top_k(targets, predictions, k):
    """Whether each integer target's score ranks within the top `k` of its row.

    The rank of a target is 1 + the number of classes scored strictly higher, so
    ties count in the target's favour (as in Keras); a NaN score never ranks.
    """
    at_label = np.take_along_axis(predictions, targets[:, None], axis=-1)
    at_label = np.where(np.isnan(at_label), -np.inf, at_label)
    rank = 1 + np.sum(predictions > at_label, axis=-1)
    return rank <= k


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot target's class is among the `k` highest predictions.

    Args:
        y_true: one-hot targets, shape `(..., num_classes)`.
        y_pred: scores, shape `(..., num_classes)`.
        k: how many of the top predictions count (5).

    Example:
        >>> nbkeras.metrics.top_k_categorical_accuracy(
        ...     [[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], k=1)
        array([0., 1.], dtype=float32)
    """
    y_pred = to_array(y_pred)
    y_true = np.argmax(to_array(y_true), axis=-1)
    shape = y_true.shape
    y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    matches = in_top_k(y_true.reshape(-1).astype(np.int64), y_pred, k)
    return matches.astype(config.floatx()).reshape(shape)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer target is among the `k` highest predictions.

    Args:
        y_true: integer targets, shape `(batch,)` or `(batch, 1)`.
        y_pred: scores `(batch, num_classes)`; or, with `from_sorted_ids`, the
            class ids sorted from the highest score down.
        k: how many of the top predictions count (5).
        from_sorted_ids: whether `y_pred` holds sorted class ids.

    Example:
        >>> nbkeras.metrics.sparse_top_k_categorical_accuracy(
        ...     [2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], k=1)
        array([0., 1.], dtype=float32)
    """
    y_pred = to_array(y_pred)
    y_true = to_array(y_true)
    shape = y_true.shape
    y_true = y_true.reshape(-1)
    if y_pred.ndim > 2:
        y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    if from_sorted_ids:
        matches = np.any(y_true.astype(y_pred.dtype)[:, None] == y_pred[:, :k], axis=1)
    else:
        matches = in_top_k(y_true.astype(np.int64), y_pred, k)
    return matches.astype(config.floatx()).reshape(shape)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot target is among the `k` highest predictions.

    Args:
        k: how many of the top predictions count (5).
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> m = nbkeras.metrics.TopKCategoricalAccuracy(k=1)
        >>> m([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        0.5
    """

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer target is among the `k` highest predictions.

    Args:
        k: how many of the top predictions count (5).
        name: the metric name.
        dtype: the dtype of the result.
        from_sorted_ids: whether `y_pred` holds class ids sorted by score.

    Example:
        >>> m = nbkeras.metrics.SparseTopKCategoricalAccuracy(k=1)
        >>> m([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        0.5
    """

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids=False):
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
        self.from_sorted_ids = from_sorted_ids

    def get_config(self):
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config
