"""Weight constraints with Keras 3's names, defaults and configs: `max_norm`,
`non_neg`, `unit_norm` and `min_max_norm` (the classes under function-style names).

Example:
    >>> layer = nbkeras.layers.Dense(4, kernel_constraint=nbkeras.constraints.MaxNorm(2.0))
"""

import inspect
import types

from nbkeras.constraints.constraints import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm
from nbkeras.utils import registry
from nbkeras.utils.function_config import find_function, serialize_function
from nbkeras.utils.registry import lookup, to_snake_case

max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm

_CLASSES = (Constraint, MaxNorm, NonNeg, UnitNorm, MinMaxNorm)
ALL_OBJECTS = {c.__name__: c for c in _CLASSES}
ALL_OBJECTS.update({to_snake_case(c.__name__): c for c in _CLASSES})


def serialize(constraint):
    """Return Keras's `{'module', 'class_name', 'config', 'registered_name'}` dict (None for None).

    Example:
        >>> nbkeras.constraints.serialize(nbkeras.constraints.UnitNorm())["config"]
        {'axis': 0}
    """
    if isinstance(constraint, types.FunctionType):
        return serialize_function(constraint)
    out = registry.serialize(constraint)
    if out is not None and type(constraint) in _CLASSES:
        out["module"] = "keras.constraints"
    return out


def deserialize(config, custom_objects=None):
    """Create a constraint from `serialize`'s dict (or a name).

    Args:
        config: a dict with `class_name` and `config`, or a name.
        custom_objects: optional {name: class or function} for custom constraints.
    """
    objects = {**ALL_OBJECTS, **(custom_objects or {})}
    if isinstance(config, dict) and config.get("class_name") == "function":
        found = find_function(config.get("config"), custom_objects)
        return found if found is not None else lookup(config.get("config"), objects, "constraint")
    return registry.deserialize(config, objects, "constraint")


def get(identifier):
    """Return a constraint from a name, a config dict, an instance, a callable or None.

    Args:
        identifier: e.g. `'non_neg'` or `MaxNorm(3)`.

    Example:
        >>> nbkeras.constraints.get("unit_norm").get_config()
        {'axis': 0}
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier not in ALL_OBJECTS and find_function(identifier) is not None:
            return find_function(identifier)
        return lookup(identifier, ALL_OBJECTS, "constraint")()
    if callable(identifier):
        return identifier() if inspect.isclass(identifier) else identifier
    raise ValueError(
        "Could not interpret constraint identifier. Expected a string, a dict or a callable. "
        f"Received: identifier={identifier!r}"
    )


__all__ = list(ALL_OBJECTS) + ["get", "serialize", "deserialize"]
