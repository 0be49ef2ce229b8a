"""Hinge losses for maximum-margin classifiers: hinge, squared hinge and categorical hinge.

`hinge` and `squared_hinge` expect labels in {-1, 1}; when every label is 0 or 1
they are mapped to -1 and 1 first, as Keras does.
"""

import numpy as np

from nbkeras import ops
from nbkeras.losses.common import PlainConfigWrapper, const, prepare
from nbkeras.ops.core import unwrap


def convert_binary_labels_to_hinge(y_true):
    """Map labels to {-1, 1} when all of them are 0 or 1; return other labels unchanged.

    Args:
        y_true: float labels.

    Example:
        >>> from nbkeras.losses.hinge_losses import convert_binary_labels_to_hinge
        >>> convert_binary_labels_to_hinge(np.array([0.0, 1.0]))
        array([-1.,  1.])
    """
    t = np.asarray(unwrap(y_true))
    if np.all((t == 0) | (t == 1)):
        return ops.subtract(ops.multiply(y_true, const(2.0, t)), const(1.0, t))
    return y_true


def _margin(y_true, y_pred):
    """max(1 - y_true * y_pred, 0) with {0, 1} labels mapped to {-1, 1}."""
    y_true, y_pred = prepare(y_true, y_pred, same_rank=False)
    y_true = convert_binary_labels_to_hinge(y_true)
    one, zero = const(1.0, y_pred), const(0.0, y_pred)
    return ops.maximum(ops.subtract(one, ops.multiply(y_true, y_pred)), zero)


def hinge(y_true, y_pred):
    """Mean over the last axis of max(1 - y_true * y_pred, 0).

    Args:
        y_true: labels in {-1, 1} (or all in {0, 1}, mapped to {-1, 1}).
        y_pred: predicted scores.

    Example:
        >>> nbkeras.losses.hinge([[0.0, 1.0]], [[0.5, 0.25]])
        array([1.125], dtype=float32)
    """
    return ops.mean(_margin(y_true, y_pred), axis=-1)


def squared_hinge(y_true, y_pred):
    """Mean over the last axis of max(1 - y_true * y_pred, 0) ** 2.

    Args:
        y_true: labels in {-1, 1} (or all in {0, 1}, mapped to {-1, 1}).
        y_pred: predicted scores.

    Example:
        >>> nbkeras.losses.squared_hinge([[0.0, 1.0]], [[0.5, 0.25]])
        array([1.40625], dtype=float32)
    """
    return ops.mean(ops.square(_margin(y_true, y_pred)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """max(neg - pos + 1, 0) with pos = sum(y_true * y_pred) and neg = max((1 - y_true) * y_pred).

    Args:
        y_true: one-hot labels.
        y_pred: predicted scores, same shape.

    Example:
        >>> nbkeras.losses.categorical_hinge([[0.0, 1.0]], [[0.5, 0.25]])
        array([1.25], dtype=float32)
    """
    y_true, y_pred = prepare(y_true, y_pred, same_rank=False)
    one = const(1.0, y_pred)
    pos = ops.sum(ops.multiply(y_true, y_pred), axis=-1)
    neg = ops.max(ops.multiply(ops.subtract(one, y_true), y_pred), axis=-1)
    return ops.maximum(ops.add(ops.subtract(neg, pos), one), const(0.0, y_pred))


class Hinge(PlainConfigWrapper):
    """Hinge loss, reduced over the batch; {0, 1} labels are mapped to {-1, 1}.

    Args:
        reduction: how per-sample losses are reduced (`'sum_over_batch_size'`).
        name: the loss name.
        dtype: the dtype of the computation.

    Example:
        >>> nbkeras.losses.Hinge()([[0.0, 1.0]], [[0.5, 0.25]])
        array(1.125, dtype=float32)
    """

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, reduction=reduction, name=name, dtype=dtype)


class SquaredHinge(PlainConfigWrapper):
    """Squared hinge loss, reduced over the batch; {0, 1} labels are mapped to {-1, 1}.

    Args:
        reduction: how per-sample losses are reduced (`'sum_over_batch_size'`).
        name: the loss name.
        dtype: the dtype of the computation.

    Example:
        >>> nbkeras.losses.SquaredHinge()([[0.0, 1.0]], [[0.5, 0.25]])
        array(1.40625, dtype=float32)
    """

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, reduction=reduction, name=name, dtype=dtype)


class CategoricalHinge(PlainConfigWrapper):
    """Categorical hinge loss, reduced over the batch.

    Args:
        reduction: how per-sample losses are reduced (`'sum_over_batch_size'`).
        name: the loss name.
        dtype: the dtype of the computation.

    Example:
        >>> nbkeras.losses.CategoricalHinge()([[0.0, 1.0]], [[0.5, 0.25]])
        array(1.25, dtype=float32)
    """

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, reduction=reduction, name=name, dtype=dtype)
