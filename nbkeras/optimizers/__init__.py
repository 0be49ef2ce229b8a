"""Optimizers with Keras 3's names, defaults and update rules.

Keras 2's `lr=`, `decay=` and `epsilon=None` are accepted.

Example:
    >>> model.compile(optimizer=nbkeras.optimizers.Adam(learning_rate=1e-3), loss="mse")
"""

from nbkeras.optimizers import schedules  # noqa: F401
from nbkeras.optimizers.adadelta import Adadelta
from nbkeras.optimizers.adagrad import Adagrad
from nbkeras.optimizers.adam import Adam
from nbkeras.optimizers.adamax import Adamax
from nbkeras.optimizers.adamw import AdamW
from nbkeras.optimizers.ftrl import Ftrl
from nbkeras.optimizers.lion import Lion
from nbkeras.optimizers.nadam import Nadam
from nbkeras.optimizers.optimizer import Optimizer
from nbkeras.optimizers.rmsprop import RMSprop
from nbkeras.optimizers.sgd import SGD
from nbkeras.utils.registry import lookup

_CLASSES = (Optimizer, SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta, Adamax, Nadam, Lion, Ftrl)
# Keras looks names up case-insensitively: 'adam', 'Adam' and 'ADAM' all work.
ALL_OBJECTS = {cls.__name__.lower(): cls for cls in _CLASSES}


def serialize(optimizer):
    """Return Keras's `{'module', 'class_name', 'config', 'registered_name'}` dict for an optimizer.

    Args:
        optimizer: an `Optimizer`.

    Example:
        >>> nbkeras.optimizers.serialize(nbkeras.optimizers.Adam())["class_name"]
        'Adam'
    """
    return {"module": "keras.optimizers", "class_name": type(optimizer).__name__,
            "config": optimizer.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """Create an optimizer from `serialize()`'s dict; class names are case-insensitive.

    Args:
        config: a dict with `class_name` and `config`.
        custom_objects: optional extra `{name: class}`.

    Example:
        >>> nbkeras.optimizers.deserialize({"class_name": "SGD", "config": {"learning_rate": 0.1}})
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("An optimizer config must be a dict with a 'class_name'. "
                         f"Received: config={config!r}")
    custom = dict(custom_objects or {})
    name = config["class_name"]
    if name in custom:
        cls = custom[name]
    else:
        key = name.lower() if isinstance(name, str) else name
        cls = lookup(key, ALL_OBJECTS, "optimizer", "optimizer")
    return cls.from_config(config.get("config", {}))


def get(identifier):
    """Return an optimizer from a name, a config dict or an instance.

    Args:
        identifier: a name (`'adam'`, `'AdamW'`; any case), a config dict
            (`{'class_name': 'SGD', 'config': {...}}`) or an Optimizer.

    Example:
        >>> nbkeras.optimizers.get("rmsprop")
    """
    if identifier is None or isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({"class_name": identifier, "config": {}})
    raise ValueError(
        "Could not interpret optimizer identifier. Expected a string, a dict or an Optimizer. "
        f"Received: optimizer={identifier!r}"
    )


__all__ = ["SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax", "Nadam", "Lion",
           "Ftrl", "Optimizer", "get", "serialize", "deserialize", "schedules"]
