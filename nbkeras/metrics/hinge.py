"""Hinge metrics: the mean hinge, squared hinge and categorical hinge losses."""

from nbkeras.losses import categorical_hinge, hinge, squared_hinge
from nbkeras.metrics.reduction import MeanMetricWrapper, NameDtypeConfig


class Hinge(NameDtypeConfig, MeanMetricWrapper):
    """The mean hinge loss, max(1 - y_true * y_pred, 0), with 0/1 labels mapped to -1/1.

    Args:
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> nbkeras.metrics.Hinge()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
        1.3
    """

    def __init__(self, name="hinge", dtype=None):
        super().__init__(hinge, name=name, dtype=dtype)


class SquaredHinge(NameDtypeConfig, MeanMetricWrapper):
    """The mean squared hinge loss, max(1 - y_true * y_pred, 0) ** 2.

    Args:
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> nbkeras.metrics.SquaredHinge()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
        1.86
    """

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(NameDtypeConfig, MeanMetricWrapper):
    """The mean categorical hinge loss, max(neg - pos + 1, 0).

    Args:
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> nbkeras.metrics.CategoricalHinge()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
        1.4
    """

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name=name, dtype=dtype)
