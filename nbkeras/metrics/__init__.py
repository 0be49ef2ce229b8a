"""Metrics with Keras 3's names: stateful objects and their function forms.

Example:
    >>> model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
"""

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
from nbkeras.metrics.metric import Mean, MeanMetricWrapper, Metric  # noqa: F401
from nbkeras.utils.registry import lookup

_CLASSES = {c.__name__: c for c in (Accuracy, BinaryAccuracy, CategoricalAccuracy,
                                    SparseCategoricalAccuracy, Mean)}
_FUNCTIONS = {f.__name__: f for f in (binary_accuracy, categorical_accuracy,
                                      sparse_categorical_accuracy)}


def get(identifier):
    """Return a metric object or function from a name, a config dict or a callable.

    Accuracy names ('accuracy', 'acc') are resolved by `compile` from the shapes of
    the targets and predictions, as Keras does.

    Args:
        identifier: e.g. `'binary_accuracy'`, `'mse'` or `BinaryAccuracy()`.
    """
    from nbkeras import losses

    if isinstance(identifier, dict):
        cls = lookup(identifier.get("class_name"), _CLASSES, "metric", "class_name")
        return cls.from_config(identifier.get("config", {}))
    if isinstance(identifier, str):
        table = dict(_FUNCTIONS)
        table.update({"accuracy": accuracy, "acc": accuracy})
        table.update({k: v for k, v in losses._FUNCTIONS.items()})
        obj = lookup(identifier, {**table, **_CLASSES}, "metric", "metric")
        return obj() if isinstance(obj, type) else obj
    if callable(identifier):
        return identifier
    raise ValueError(
        "Could not interpret metric identifier. Expected a string, a dict or a callable. "
        f"Received: metric={identifier!r}"
    )
