"""Regression losses: absolute, percentage and squared-log errors, Huber and log-cosh.

Each function returns one value per sample (the mean over the last axis); each
class wraps its function and reduces over the batch. Like Keras, the classes
keep only `name` and `reduction` in their config.
"""

from nbkeras import config, ops
from nbkeras.losses.common import PlainConfigWrapper, const, prepare


def mean_absolute_error(y_true, y_pred):
    """Mean over the last axis of |y_true - y_pred|.

    Args:
        y_true: targets, shape `(batch, ..., d)`.
        y_pred: predictions, same shape.

    Example:
        >>> nbkeras.losses.mean_absolute_error([[0.0, 1.0]], [[1.0, 1.0]])
        array([0.5], dtype=float32)
    """
    y_true, y_pred = prepare(y_true, y_pred)
    return ops.mean(ops.abs(ops.subtract(y_true, y_pred)), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """100 times the mean over the last axis of |(y_true - y_pred) / y_true|.

    |y_true| is raised to at least `epsilon()` (1e-7) before dividing.

    Args:
        y_true: targets, shape `(batch, ..., d)`.
        y_pred: predictions, same shape.

    Example:
        >>> nbkeras.losses.mean_absolute_percentage_error([[2.0, 4.0]], [[1.0, 5.0]])
        array([37.5], dtype=float32)
    """
    y_true, y_pred = prepare(y_true, y_pred)
    denom = ops.maximum(ops.abs(y_true), const(config.epsilon(), y_pred))
    diff = ops.abs(ops.divide(ops.subtract(y_true, y_pred), denom))
    return ops.multiply(ops.mean(diff, axis=-1), const(100.0, y_pred))


def mean_squared_logarithmic_error(y_true, y_pred):
    """Mean over the last axis of (log(y_pred + 1) - log(y_true + 1)) ** 2.

    Values below `epsilon()` (1e-7), negatives included, are raised to it first.

    Args:
        y_true: targets, shape `(batch, ..., d)`.
        y_pred: predictions, same shape.

    Example:
        >>> nbkeras.losses.mean_squared_logarithmic_error([[0.0, 1.0]], [[1.0, 1.0]])
        array([0.24022643], dtype=float32)
    """
    y_true, y_pred = prepare(y_true, y_pred)
    eps, one = const(config.epsilon(), y_pred), const(1.0, y_pred)
    first = ops.log(ops.add(ops.maximum(y_pred, eps), one))
    second = ops.log(ops.add(ops.maximum(y_true, eps), one))
    return ops.mean(ops.square(ops.subtract(first, second)), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """Mean over the last axis of the Huber loss of the error y_pred - y_true.

    Quadratic (0.5 * x ** 2) where |x| <= delta, linear (delta * |x| - 0.5 * delta ** 2)
    beyond.

    Args:
        y_true: targets, shape `(batch, ..., d)`.
        y_pred: predictions, same shape.
        delta: where the loss turns from quadratic to linear (1.0).

    Example:
        >>> nbkeras.losses.huber([[0.0, 0.0]], [[0.5, 3.0]])
        array([1.3125], dtype=float32)
    """
    y_true, y_pred = prepare(y_true, y_pred)
    delta = const(delta, y_pred)
    half = const(0.5, y_pred)
    error = ops.subtract(y_pred, y_true)
    abs_error = ops.abs(error)
    quadratic = ops.multiply(half, ops.square(error))
    linear = ops.subtract(ops.multiply(delta, abs_error), half * delta * delta)
    return ops.mean(ops.where(abs_error <= delta, quadratic, linear), axis=-1)


def log_cosh(y_true, y_pred):
    """Mean over the last axis of log(cosh(y_pred - y_true)), computed without overflow.

    Args:
        y_true: targets, shape `(batch, ..., d)`.
        y_pred: predictions, same shape.

    Example:
        >>> nbkeras.losses.log_cosh([[0.0, 0.0]], [[1.0, 0.0]])
        array([0.2168904], dtype=float32)
    """
    y_true, y_pred = prepare(y_true, y_pred)
    x = ops.subtract(y_pred, y_true)
    # log(cosh(x)) = x + softplus(-2x) - log(2)
    value = ops.add(x, ops.softplus(ops.multiply(x, const(-2.0, y_pred))))
    return ops.mean(ops.subtract(value, const(0.6931471805599453, y_pred)), axis=-1)


def _l2_normalize(x, axis):
    """x / max(||x||, epsilon) along `axis` (zero vectors stay zero, with finite gradients)."""
    eps = const(config.epsilon(), x)
    square_sum = ops.sum(ops.square(x), axis=axis, keepdims=True)
    return ops.divide(x, ops.sqrt(ops.maximum(square_sum, eps * eps)))


def cosine_similarity(y_true, y_pred, axis=-1):
    """Negative cosine similarity along `axis`: -1 for parallel, 0 for orthogonal vectors.

    A zero vector gives 0, whatever the other vector.

    Args:
        y_true: targets.
        y_pred: predictions, same shape.
        axis: the axis along which the similarity is computed (-1).

    Example:
        >>> nbkeras.losses.cosine_similarity([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]])
        array([-0.        , -0.99999994], dtype=float32)
    """
    y_true, y_pred = prepare(y_true, y_pred)
    y_true, y_pred = _l2_normalize(y_true, axis), _l2_normalize(y_pred, axis)
    return ops.negative(ops.sum(ops.multiply(y_true, y_pred), axis=axis))


mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error


class MeanAbsoluteError(PlainConfigWrapper):
    """Mean of absolute errors over the last axis, reduced over the batch.

    Args:
        reduction: how per-sample losses are reduced (`'sum_over_batch_size'`).
        name: the loss name.
        dtype: the dtype of the computation.

    Example:
        >>> nbkeras.losses.MeanAbsoluteError()([[0.0, 1.0]], [[1.0, 1.0]])
        array(0.5, dtype=float32)
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, reduction=reduction, name=name, dtype=dtype)


class MeanAbsolutePercentageError(PlainConfigWrapper):
    """Mean absolute percentage error, reduced over the batch.

    Args:
        reduction: how per-sample losses are reduced (`'sum_over_batch_size'`).
        name: the loss name.
        dtype: the dtype of the computation.

    Example:
        >>> nbkeras.losses.MeanAbsolutePercentageError()([[2.0, 4.0]], [[1.0, 5.0]])
        array(37.5, dtype=float32)
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error",
                 dtype=None):
        super().__init__(mean_absolute_percentage_error, reduction=reduction, name=name,
                         dtype=dtype)


class MeanSquaredLogarithmicError(PlainConfigWrapper):
    """Mean squared logarithmic error, reduced over the batch.

    Args:
        reduction: how per-sample losses are reduced (`'sum_over_batch_size'`).
        name: the loss name.
        dtype: the dtype of the computation.

    Example:
        >>> nbkeras.losses.MeanSquaredLogarithmicError()([[0.0, 1.0]], [[1.0, 1.0]])
        array(0.24022643, dtype=float32)
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error",
                 dtype=None):
        super().__init__(mean_squared_logarithmic_error, reduction=reduction, name=name,
                         dtype=dtype)


class Huber(PlainConfigWrapper):
    """Huber loss: quadratic for small errors, linear beyond `delta`.

    Like Keras, the config holds only `name` and `reduction` (not `delta`).

    Args:
        delta: where the loss turns from quadratic to linear (1.0).
        reduction: how per-sample losses are reduced (`'sum_over_batch_size'`).
        name: the loss name (`'huber_loss'`).
        dtype: the dtype of the computation.

    Example:
        >>> nbkeras.losses.Huber(delta=2.0)([[0.0, 0.0]], [[0.5, 3.0]])
        array(2.0625, dtype=float32)
    """

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(huber, reduction=reduction, name=name, dtype=dtype, delta=delta)


class LogCosh(PlainConfigWrapper):
    """Logarithm of the hyperbolic cosine of the prediction error, reduced over the batch.

    Args:
        reduction: how per-sample losses are reduced (`'sum_over_batch_size'`).
        name: the loss name (`'log_cosh'`).
        dtype: the dtype of the computation.

    Example:
        >>> nbkeras.losses.LogCosh()([[0.0, 0.0]], [[1.0, 0.0]])
        array(0.2168904, dtype=float32)
    """

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, reduction=reduction, name=name, dtype=dtype)


class CosineSimilarity(PlainConfigWrapper):
    """Negative cosine similarity between targets and predictions, reduced over the batch.

    Like Keras, the config holds only `name` and `reduction` (not `axis`).

    Args:
        axis: the axis along which the similarity is computed (-1).
        reduction: how per-sample losses are reduced (`'sum_over_batch_size'`).
        name: the loss name.
        dtype: the dtype of the computation.

    Example:
        >>> nbkeras.losses.CosineSimilarity()([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]])
        array(-0.49999997, dtype=float32)
    """

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity",
                 dtype=None):
        super().__init__(cosine_similarity, reduction=reduction, name=name, dtype=dtype,
                         axis=axis)
