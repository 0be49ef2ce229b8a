"""Probabilistic losses: Kullback-Leibler divergence and Poisson.

Both guard their logarithms with `epsilon()` (1e-7) exactly as Keras does:
KL divergence clips both inputs to [epsilon, 1]; Poisson adds epsilon to y_pred.
"""

from nbkeras import config, ops
from nbkeras.losses.common import PlainConfigWrapper, const, prepare


def kl_divergence(y_true, y_pred):
    """Sum over the last axis of y_true * log(y_true / y_pred), inputs clipped to [epsilon, 1].

    Args:
        y_true: target probabilities.
        y_pred: predicted probabilities, same shape.

    Example:
        >>> nbkeras.losses.kl_divergence([[0.5, 0.5]], [[0.25, 0.75]])
        array([0.14384106], dtype=float32)
    """
    y_true, y_pred = prepare(y_true, y_pred, same_rank=False)
    eps = float(const(config.epsilon(), y_pred))
    y_true = ops.clip(y_true, eps, 1.0)
    y_pred = ops.clip(y_pred, eps, 1.0)
    return ops.sum(ops.multiply(y_true, ops.log(ops.divide(y_true, y_pred))), axis=-1)


def poisson(y_true, y_pred):
    """Mean over the last axis of y_pred - y_true * log(y_pred + epsilon).

    Args:
        y_true: target counts or rates.
        y_pred: predicted rates (non-negative), same shape.

    Example:
        >>> nbkeras.losses.poisson([[1.0, 0.0]], [[1.0, 2.0]])
        array([1.5], dtype=float32)
    """
    y_true, y_pred = prepare(y_true, y_pred, same_rank=False)
    log_pred = ops.log(ops.add(y_pred, const(config.epsilon(), y_pred)))
    return ops.mean(ops.subtract(y_pred, ops.multiply(y_true, log_pred)), axis=-1)


kld = KLD = kl_divergence


class KLDivergence(PlainConfigWrapper):
    """Kullback-Leibler divergence of predicted from target distributions, reduced over the batch.

    Args:
        reduction: how per-sample losses are reduced (`'sum_over_batch_size'`).
        name: the loss name.
        dtype: the dtype of the computation.

    Example:
        >>> nbkeras.losses.KLDivergence()([[0.5, 0.5]], [[0.25, 0.75]])
        array(0.14384106, dtype=float32)
    """

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, reduction=reduction, name=name, dtype=dtype)


class Poisson(PlainConfigWrapper):
    """Poisson loss, y_pred - y_true * log(y_pred), reduced over the batch.

    Args:
        reduction: how per-sample losses are reduced (`'sum_over_batch_size'`).
        name: the loss name.
        dtype: the dtype of the computation.

    Example:
        >>> nbkeras.losses.Poisson()([[1.0, 0.0]], [[1.0, 2.0]])
        array(1.5, dtype=float32)
    """

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, reduction=reduction, name=name, dtype=dtype)
