"""Metrics with Keras 3's names: stateful objects and their function forms.

Example:
    >>> model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy", "auc"])
"""

from nbkeras.losses import (  # noqa: F401
    binary_crossentropy,
    categorical_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from nbkeras.metrics.accuracy import (  # noqa: F401
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
)
from nbkeras.metrics.auc import AUC  # noqa: F401
from nbkeras.metrics.confusion import (  # noqa: F401
    FalseNegatives,
    FalsePositives,
    Precision,
    Recall,
    TrueNegatives,
    TruePositives,
)
from nbkeras.metrics.f_score import F1Score, FBetaScore  # noqa: F401
from nbkeras.metrics.iou import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU  # noqa: F401
from nbkeras.metrics.r2_score import R2Score  # noqa: F401
from nbkeras.metrics.sensitivity_specificity import (  # noqa: F401
    PrecisionAtRecall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
)
from nbkeras.metrics.hinge import CategoricalHinge, Hinge, SquaredHinge  # noqa: F401
from nbkeras.metrics.metric import Metric  # noqa: F401
from nbkeras.metrics.probabilistic import (  # noqa: F401
    BinaryCrossentropy,
    CategoricalCrossentropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
)
from nbkeras.metrics.reduction import Mean, MeanMetricWrapper, Sum  # noqa: F401
from nbkeras.metrics.regression import (  # noqa: F401
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    RootMeanSquaredError,
)
from nbkeras.metrics.top_k import (  # noqa: F401
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from nbkeras.utils.registry import lookup, serialize, to_snake_case

_CLASSES = (
    Metric, Mean, Sum, MeanMetricWrapper,
    MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError,
    AUC, FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, TruePositives,
    BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
    KLDivergence, Poisson, Hinge, SquaredHinge, CategoricalHinge,
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
    R2Score, F1Score, FBetaScore, IoU, MeanIoU, BinaryIoU, OneHotIoU, OneHotMeanIoU,
    PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity,
)
# Keras's table: class names, their snake-case forms and a few short aliases.
# A string always gives a Metric object (e.g. 'mse' -> MeanSquaredError()).
ALL_OBJECTS = {c.__name__: c for c in _CLASSES}
ALL_OBJECTS.update({to_snake_case(c.__name__): c for c in _CLASSES})
ALL_OBJECTS.update({
    "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
    "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
})

_FUNCTIONS = {f.__name__: f for f in (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy,
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, log_cosh,
    binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy,
    hinge, squared_hinge, categorical_hinge, huber, kl_divergence, poisson,
)}


def _function_by_name(name):
    """The metric function called `name` (for `MeanMetricWrapper.from_config`)."""
    return lookup(name, _FUNCTIONS, "metric function", "fn")


def deserialize(config):
    """Build a metric from `{'class_name': ..., 'config': {...}}` (or a name).

    Args:
        config: the dict written by `serialize`, or a metric name.

    Example:
        >>> nbkeras.metrics.deserialize({"class_name": "AUC", "config": {"curve": "PR"}})
        <AUC name=auc>
    """
    if isinstance(config, str):
        return get(config)
    cls = lookup(config.get("class_name"), ALL_OBJECTS, "metric", "class_name")
    return cls.from_config(config.get("config", {}))


def get(identifier):
    """Return a metric object or function from a name, a config dict or a callable.

    A name gives a new Metric object ('mse' -> `MeanSquaredError()`); `compile`
    resolves 'accuracy' / 'acc' from the shapes of targets and predictions, and
    names the logged value after the string it was given.

    Args:
        identifier: e.g. `'auc'`, `'mse'`, `{'class_name': 'AUC', 'config': {}}`,
            a Metric object or a function `fn(y_true, y_pred)`.

    Example:
        >>> nbkeras.metrics.get("mae")
        <MeanAbsoluteError name=mean_absolute_error>
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        obj = lookup(identifier, ALL_OBJECTS, "metric", "metric")
        return obj()
    if callable(identifier):
        return identifier() if isinstance(identifier, type) else identifier
    raise ValueError(
        "Could not interpret metric identifier. Expected a string, a dict or a callable. "
        f"Received: metric={identifier!r}"
    )
