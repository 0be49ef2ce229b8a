"""Losses with Keras 3's names, in function and class form.

Example:
    >>> model.compile(optimizer="rmsprop", loss=nbkeras.losses.binary_crossentropy)
"""

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
from nbkeras.utils.registry import lookup, serialize  # noqa: F401

_FUNCTIONS = {f.__name__: f for f in (binary_crossentropy, categorical_crossentropy,
                                      sparse_categorical_crossentropy, mean_squared_error)}
_FUNCTIONS.update({"mse": mean_squared_error, "MSE": mean_squared_error})
_CLASSES = {c.__name__: c for c in (BinaryCrossentropy, CategoricalCrossentropy,
                                    SparseCategoricalCrossentropy, MeanSquaredError)}
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
