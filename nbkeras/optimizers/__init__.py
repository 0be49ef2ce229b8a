"""Optimizers with Keras 3's names and defaults (Keras 2's `lr`, `decay` and `epsilon=None` accepted).

Example:
    >>> model.compile(optimizer=nbkeras.optimizers.Adam(learning_rate=1e-3), loss="mse")
"""

from nbkeras.optimizers import schedules  # noqa: F401
from nbkeras.optimizers.adam import Adam
from nbkeras.optimizers.optimizer import Optimizer
from nbkeras.optimizers.rmsprop import RMSprop
from nbkeras.optimizers.sgd import SGD
from nbkeras.utils.registry import deserialize as _deserialize
from nbkeras.utils.registry import lookup, serialize  # noqa: F401

ALL_OBJECTS = {"SGD": SGD, "RMSprop": RMSprop, "Adam": Adam, "sgd": SGD, "rmsprop": RMSprop,
               "adam": Adam}


def get(identifier):
    """Return an optimizer from a name, a config dict or an instance.

    Args:
        identifier: e.g. `'adam'` or `Adam(1e-3)`.

    Example:
        >>> nbkeras.optimizers.get("rmsprop")
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return _deserialize(identifier, ALL_OBJECTS, "optimizer")
    if isinstance(identifier, str):
        return lookup(identifier, ALL_OBJECTS, "optimizer", "optimizer")()
    raise ValueError(
        "Could not interpret optimizer identifier. Expected a string, a dict or an Optimizer. "
        f"Received: optimizer={identifier!r}"
    )


__all__ = ["SGD", "RMSprop", "Adam", "Optimizer", "get", "schedules"]
