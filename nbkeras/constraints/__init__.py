"""Weight constraints with Keras 3's names, defaults and configs: `max_norm`,
`non_neg`, `unit_norm` and `min_max_norm` (the classes under function-style names).

Example:
    >>> layer = nbkeras.layers.Dense(4, kernel_constraint=nbkeras.constraints.MaxNorm(2.0))
"""

from nbkeras.constraints.constraints import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm
from nbkeras.utils import registry
from nbkeras.utils.registry import to_snake_case

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
    return registry.serialize_member(constraint, _CLASSES, "keras.constraints")


def deserialize(config, custom_objects=None):
    """Create a constraint from `serialize`'s dict (or a name).

    Args:
        config: a dict with `class_name` and `config`, or a name.
        custom_objects: optional {name: class or function} for custom constraints.
    """
    return registry.deserialize_member(config, ALL_OBJECTS, "constraint", custom_objects)


def get(identifier):
    """Return a constraint from a name, a config dict, an instance, a callable or None.

    Args:
        identifier: e.g. `'non_neg'` or `MaxNorm(3)`.

    Example:
        >>> nbkeras.constraints.get("unit_norm").get_config()
        {'axis': 0}
    """
    return registry.get_member(identifier, ALL_OBJECTS, "constraint", deserialize)


__all__ = list(ALL_OBJECTS) + ["get", "serialize", "deserialize"]
