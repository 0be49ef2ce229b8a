"""Accuracy metrics: exact, binary, categorical and sparse categorical, as Keras 3 defines them.

They compute on the active device (`on_device`): in `fit` on a GPU the predictions stay there."""

from nbkeras import config
from nbkeras.backend import active as _device
from nbkeras.metrics.reduction import MeanMetricWrapper
from nbkeras.metrics.utils import same_rank, to_device_array


def accuracy(y_true, y_pred):
    """1.0 where y_pred equals y_true, elementwise.

    Args:
        y_true: the labels.
        y_pred: the predictions (same shape, up to a trailing axis of 1).

    Example:
        >>> nbkeras.metrics.accuracy([1, 2], [1, 3])
        array([1., 0.], dtype=float32)
    """
    y_pred = to_device_array(y_pred)
    y_true = to_device_array(y_true, y_pred.dtype)
    y_true, y_pred = same_rank(y_true, y_pred)
    return _device.xp.equal(y_true, y_pred).astype(config.floatx())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where (y_pred > threshold) equals y_true, elementwise.

    Args:
        y_true: 0/1 labels.
        y_pred: scores, compared with `threshold`.
        threshold: the decision threshold (0.5).

    Example:
        >>> nbkeras.metrics.binary_accuracy([[1.0], [0.0]], [[0.7], [0.6]])
        array([[1.],
               [0.]], dtype=float32)
    """
    y_true, y_pred = same_rank(to_device_array(y_true), to_device_array(y_pred))
    y_pred = (y_pred > threshold).astype(y_true.dtype)
    return _device.xp.equal(y_true, y_pred).astype(config.floatx())


def categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_true) equals argmax(y_pred), per sample.

    Args:
        y_true: one-hot labels.
        y_pred: class scores.

    Example:
        >>> nbkeras.metrics.categorical_accuracy([[0, 1]], [[0.3, 0.7]])
        array([1.], dtype=float32)
    """
    y_pred = to_device_array(y_pred)
    y_true = _device.xp.argmax(to_device_array(y_true), axis=-1)
    shape = y_true.shape
    if y_true.ndim == y_pred.ndim:
        y_true = _device.xp.squeeze(y_true, -1)
    matches = _device.xp.equal(y_true, _device.xp.argmax(y_pred, axis=-1)).astype(config.floatx())
    return matches.reshape(shape)


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the integer label equals argmax(y_pred), per sample.

    Args:
        y_true: integer labels, shape `(batch,)` or `(batch, 1)`.
        y_pred: class scores.

    Example:
        >>> nbkeras.metrics.sparse_categorical_accuracy([1], [[0.3, 0.7]])
        array([1.], dtype=float32)
    """
    y_pred = to_device_array(y_pred)
    y_true = to_device_array(y_true, y_pred.dtype if y_pred.dtype.kind == "f" else None)
    shape = y_true.shape
    squeezed = y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1
    if squeezed:
        y_true = _device.xp.squeeze(y_true, -1)
    matches = _device.xp.equal(y_true, _device.xp.argmax(y_pred, axis=-1).astype(y_true.dtype))
    matches = matches.astype(config.floatx())
    if squeezed:
        matches = matches.reshape(shape)
    if matches.ndim > 1 and matches.shape[-1] == 1:
        matches = _device.xp.squeeze(matches, -1)
    return matches


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly.

    Args:
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> nbkeras.metrics.Accuracy()([1, 2], [1, 3])
        0.5
    """

    on_device = True

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


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

    on_device = True

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
    """How often argmax of predictions matches argmax of one-hot labels.

    Args:
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> nbkeras.metrics.CategoricalAccuracy()([[0, 1]], [[0.3, 0.7]])
        1.0
    """

    on_device = True

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often argmax of predictions matches integer labels.

    Args:
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> nbkeras.metrics.SparseCategoricalAccuracy()([1], [[0.3, 0.7]])
        1.0
    """

    on_device = True

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}
