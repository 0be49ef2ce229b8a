"""Loss functions and classes: crossentropies and mean squared error, as Keras 3 defines them."""

import numpy as np

from nbkeras import ops
from nbkeras.losses.loss import LossFunctionWrapper, _as_target, squeeze_or_expand_to_same_rank
from nbkeras.ops import nn
from nbkeras.ops.core import untracked_op, unwrap


def _smooth_binary(y_true, label_smoothing):
    if label_smoothing:
        return y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return y_true


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary crossentropy, averaged over the last axis.

    Args:
        y_true: targets in [0, 1].
        y_pred: probabilities (or logits when `from_logits`).
        from_logits: whether y_pred holds logits.
        label_smoothing: squeezes targets toward 0.5 by this amount.
        axis: the axis to average over (-1).

    Example:
        >>> nbkeras.losses.binary_crossentropy([[0.0, 1.0]], [[0.4, 0.6]])
        array([0.5108256], dtype=float32)
    """
    y_true = _smooth_binary(_as_target(y_true, y_pred), label_smoothing)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    nn._check_same_shape(y_true, y_pred)
    if axis not in (-1, np.ndim(unwrap(y_pred)) - 1):
        return ops.mean(nn.binary_crossentropy(y_true, y_pred, from_logits), axis=axis)
    return nn.binary_crossentropy_mean(y_true, y_pred, from_logits)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Crossentropy between one-hot targets and probabilities (or logits).

    Args:
        y_true: one-hot (or soft) targets.
        y_pred: probabilities (or logits when `from_logits`).
        from_logits: whether y_pred holds logits.
        label_smoothing: mixes targets with the uniform distribution.
        axis: the class axis (-1).

    Example:
        >>> nbkeras.losses.categorical_crossentropy([[0, 1]], [[0.2, 0.8]])
        array([0.22314353], dtype=float32)
    """
    y_true = _as_target(y_true, y_pred)
    if label_smoothing:
        n = ops.shape(y_pred)[axis]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / n
    return nn.categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1, label_smoothing=0.0):
    """Crossentropy between integer labels and probabilities (or logits).

    Args:
        y_true: integer class labels.
        y_pred: probabilities (or logits when `from_logits`).
        from_logits: whether y_pred holds logits.
        ignore_class: a label whose samples get a loss of 0.
        axis: the class axis (-1).
        label_smoothing: if non-zero, the labels are one-hot encoded and smoothed.

    Example:
        >>> nbkeras.losses.sparse_categorical_crossentropy([1], [[0.2, 0.8]])
        array([0.22314353], dtype=float32)
    """
    n = ops.shape(y_pred)[-1]
    labels = untracked_op("sparse_labels",
                          lambda y: nn.sparse_labels(y, n, ignore_class, name="y_true"),
                          (unwrap(y_true),))
    keep = None
    if ignore_class is not None:
        keep = labels != ignore_class
        labels = np.where(keep, labels, 0)
    if label_smoothing:
        p_shape = ops.shape(y_pred)
        if labels.ndim == len(p_shape):
            labels = labels.reshape(labels.shape[:-1])
        onehot = nn.one_hot(labels, p_shape[-1], dtype=unwrap(y_pred).dtype)
        out = categorical_crossentropy(onehot, y_pred, from_logits, label_smoothing, axis)
    elif getattr(y_pred, "_keras_symbolic", False):
        out = nn.sparse_categorical_crossentropy(labels, y_pred, from_logits=from_logits, axis=axis)
    else:  # the labels were checked above: not a second time on the training hot path
        out = nn._sparse_categorical_crossentropy(labels, y_pred, from_logits, axis, checked=True)
    if keep is not None:
        keep = keep.reshape(ops.shape(out))
        out = ops.multiply(out, keep.astype(unwrap(out).dtype))
    return out


def mean_squared_error(y_true, y_pred):
    """Mean over the last axis of (y_true - y_pred) ** 2.

    Example:
        >>> nbkeras.losses.mean_squared_error([[0.0, 1.0]], [[1.0, 1.0]])
        array([0.5], dtype=float32)
    """
    y_true = _as_target(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    if np.ndim(unwrap(y_pred)) == 0:
        return ops.square(ops.subtract(y_pred, y_true))
    return nn.mean_squared_error(y_true, y_pred)


mse = MSE = mean_squared_error


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary crossentropy between targets and predicted probabilities (or logits).

    Args:
        from_logits: whether predictions are logits.
        label_smoothing: squeezes targets toward 0.5 by this amount.
        axis: the axis to average over.
        reduction: how per-sample losses are reduced.
        name: the loss name.

    Example:
        >>> nbkeras.losses.BinaryCrossentropy()([0.0, 1.0], [0.4, 0.6])
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis

    def call(self, y_true, y_pred):
        # Unlike the base class, the shape fix-up happens after label smoothing inside fn.
        return self.fn(y_true, y_pred, **self._fn_kwargs)


class CategoricalCrossentropy(LossFunctionWrapper):
    """Crossentropy between one-hot targets and predicted probabilities (or logits).

    Args:
        from_logits: whether predictions are logits.
        label_smoothing: mixes targets with the uniform distribution.
        axis: the class axis.
        reduction: how per-sample losses are reduced.
        name: the loss name.

    Example:
        >>> nbkeras.losses.CategoricalCrossentropy()([[0, 1]], [[0.2, 0.8]])
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Crossentropy between integer labels and predicted probabilities (or logits).

    Args:
        from_logits: whether predictions are logits.
        ignore_class: a label whose samples count as 0.
        reduction: how per-sample losses are reduced.
        axis: the class axis (-1; like Keras, not kept in the config).
        name: the loss name.
        label_smoothing: an nbkeras extra; if non-zero, labels are one-hot encoded and smoothed.

    Example:
        >>> nbkeras.losses.SparseCategoricalCrossentropy()([1], [[0.2, 0.8]])
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name="sparse_categorical_crossentropy", dtype=None, label_smoothing=0.0):
        kwargs = {"from_logits": from_logits, "ignore_class": ignore_class, "axis": axis}
        if label_smoothing:
            kwargs["label_smoothing"] = label_smoothing
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, **kwargs)
        self.from_logits, self.ignore_class = from_logits, ignore_class

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        # Keras's keys: `axis` is not saved; `label_smoothing` (an nbkeras extra) only when set.
        cfg = {"name": self.name, "reduction": self.reduction,
               "from_logits": self.from_logits, "ignore_class": self.ignore_class}
        if self._fn_kwargs.get("label_smoothing"):
            cfg["label_smoothing"] = self._fn_kwargs["label_smoothing"]
        return cfg


class MeanSquaredError(LossFunctionWrapper):
    """Mean of squared errors over the last axis.

    Args:
        reduction: how per-sample losses are reduced.
        name: the loss name.

    Example:
        >>> nbkeras.losses.MeanSquaredError()([[0.0, 1.0]], [[1.0, 1.0]])
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, reduction=reduction, name=name, dtype=dtype)
