"""Probabilistic metrics: the mean crossentropies, KL divergence and Poisson loss."""

from nbkeras.losses import (
    binary_crossentropy,
    categorical_crossentropy,
    kl_divergence,
    poisson,
    sparse_categorical_crossentropy,
)
from nbkeras.metrics.reduction import Mean, MeanMetricWrapper, NameDtypeConfig
from nbkeras.metrics.utils import same_rank, to_array


class BinaryCrossentropy(MeanMetricWrapper):
    """The mean binary crossentropy between labels and predictions.

    Args:
        name: the metric name.
        dtype: the dtype of the result.
        from_logits: whether predictions are logits.
        label_smoothing: squeezes labels toward 0.5 by this amount.

    Example:
        >>> m = nbkeras.metrics.BinaryCrossentropy()
        >>> m([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
        0.81492424
    """

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0):
        super().__init__(binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}


class CategoricalCrossentropy(MeanMetricWrapper):
    """The mean crossentropy between one-hot labels and predictions.

    Args:
        name: the metric name.
        dtype: the dtype of the result.
        from_logits: whether predictions are logits.
        label_smoothing: mixes labels with the uniform distribution by this amount.
        axis: the class axis (-1).

    Example:
        >>> m = nbkeras.metrics.CategoricalCrossentropy()
        >>> m([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
        1.1769392
    """

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0, axis=-1):
        super().__init__(categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """The mean crossentropy between integer labels and predictions.

    Args:
        name: the metric name.
        dtype: the dtype of the result.
        from_logits: whether predictions are logits.
        ignore_class: a label whose samples count as 0.
        axis: the class axis (-1).

    Example:
        >>> m = nbkeras.metrics.SparseCategoricalCrossentropy()
        >>> m([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
        1.1769392
    """

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
                 ignore_class=None, axis=-1):
        super().__init__(sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def update_state(self, y_true, y_pred, sample_weight=None):
        if self.ignore_class is None or sample_weight is None:
            return super().update_state(y_true, y_pred, sample_weight)
        # Ignored samples score 0; with sample weights (only then, as in Keras,
        # where the loss's mask meets the weights) they also leave the count.
        values = to_array(self._fn(to_array(y_true), to_array(y_pred), **self._fn_kwargs))
        mask = (to_array(y_true) != self.ignore_class).reshape(values.shape).astype(self.dtype)
        mask, sample_weight = same_rank(mask, to_array(sample_weight, self.dtype))
        return Mean.update_state(self, values, sample_weight=mask * sample_weight)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "ignore_class": self.ignore_class, "axis": self.axis}


class KLDivergence(NameDtypeConfig, MeanMetricWrapper):
    """The mean Kullback-Leibler divergence, sum(y_true * log(y_true / y_pred)).

    Args:
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> nbkeras.metrics.KLDivergence()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
        0.45814306
    """

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, dtype=dtype)


class Poisson(NameDtypeConfig, MeanMetricWrapper):
    """The mean Poisson loss, mean(y_pred - y_true * log(y_pred)).

    Args:
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> nbkeras.metrics.Poisson()([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        0.49999997
    """

    def __init__(self, name="poisson", dtype=None):
        super().__init__(poisson, name=name, dtype=dtype)
