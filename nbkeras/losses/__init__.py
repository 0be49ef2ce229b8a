"""Losses with Keras 3's names, in function and class form.

Example:
    >>> model.compile(optimizer="rmsprop", loss=nbkeras.losses.binary_crossentropy)
"""

from nbkeras.losses.hinge_losses import (  # noqa: F401
    CategoricalHinge,
    Hinge,
    SquaredHinge,
    categorical_hinge,
    hinge,
    squared_hinge,
)
from nbkeras.losses.loss import Loss, LossFunctionWrapper, reduce_weighted_values  # noqa: F401
from nbkeras.losses.losses import (  # noqa: F401
    MSE,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
    binary_crossentropy,
    categorical_crossentropy,
    mean_squared_error,
    mse,
    sparse_categorical_crossentropy,
)
from nbkeras.losses.probabilistic import (  # noqa: F401
    KLD,
    KLDivergence,
    Poisson,
    kl_divergence,
    kld,
    poisson,
)
from nbkeras.losses.regression import (  # noqa: F401
    MAE,
    MAPE,
    MSLE,
    CosineSimilarity,
    Huber,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    cosine_similarity,
    huber,
    log_cosh,
    mae,
    mape,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_logarithmic_error,
    msle,
)
from nbkeras.utils.registry import lookup, serialize  # noqa: F401

_FUNCTIONS = {f.__name__: f for f in (
    binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy,
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, huber, log_cosh, cosine_similarity,
    hinge, squared_hinge, categorical_hinge, kl_divergence, poisson,
)}
# Keras 3's string aliases, plus the tf.keras spellings 'logcosh' and
# 'kullback_leibler_divergence' (Keras 3 keeps those only in keras._legacy).
_FUNCTIONS.update({
    "bce": binary_crossentropy, "BCE": binary_crossentropy,
    "mse": mean_squared_error, "MSE": mean_squared_error,
    "mae": mean_absolute_error, "MAE": mean_absolute_error,
    "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
    "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error,
    "kld": kl_divergence, "KLD": kl_divergence,
    "kullback_leibler_divergence": kl_divergence, "logcosh": log_cosh,
})
_CLASSES = {c.__name__: c for c in (
    BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, Huber, LogCosh, CosineSimilarity,
    Hinge, SquaredHinge, CategoricalHinge, KLDivergence, Poisson,
)}
ALL_OBJECTS = {**_FUNCTIONS, **_CLASSES}


def get(identifier):
    """Return a loss function or object from a name, a config dict, or a callable.

    Args:
        identifier: e.g. `'binary_crossentropy'`, `'mse'` or `BinaryCrossentropy()`.

    Example:
        >>> nbkeras.losses.get("mse") is nbkeras.losses.mean_squared_error
        True
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        cls = lookup(identifier.get("class_name"), _CLASSES, "loss", "class_name")
        return cls.from_config(identifier.get("config", {}))
    if isinstance(identifier, str):
        obj = lookup(identifier, ALL_OBJECTS, "loss", "loss")
        return obj() if isinstance(obj, type) else obj
    if callable(identifier):
        return identifier
    raise ValueError(
        "Could not interpret loss identifier. Expected a string, a dict or a callable. "
        f"Received: loss={identifier!r}"
    )
