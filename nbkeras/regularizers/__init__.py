"""Weight and activity penalties with Keras 3's names, defaults and configs.

`l1`, `l2`, `l1_l2` and `orthogonal_regularizer` are the classes `L1`, `L2`,
`L1L2` and `OrthogonalRegularizer` under their Keras function-style names.

Example:
    >>> layer = nbkeras.layers.Dense(4, kernel_regularizer=nbkeras.regularizers.l2(0.01))
"""

from nbkeras.regularizers.regularizers import (
    L1, L1L2, L2, OrthogonalRegularizer, Regularizer, validate_float_arg,
)
from nbkeras.utils import registry
from nbkeras.utils.registry import to_snake_case

l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer

_CLASSES = (Regularizer, L1, L2, L1L2, OrthogonalRegularizer)
ALL_OBJECTS = {c.__name__: c for c in _CLASSES}
ALL_OBJECTS.update({to_snake_case(c.__name__): c for c in _CLASSES})
ALL_OBJECTS.update({"l1l2": L1L2, "l1_l2": L1L2})


def serialize(regularizer):
    """Return Keras's `{'module', 'class_name', 'config', 'registered_name'}` dict (None for None).

    A plain function is recorded by name, as Keras does.

    Example:
        >>> nbkeras.regularizers.serialize(nbkeras.regularizers.L2(0.5))["config"]
        {'l2': 0.5}
    """
    return registry.serialize_member(regularizer, _CLASSES, "keras.regularizers")


def deserialize(config, custom_objects=None):
    """Create a regularizer from `serialize`'s dict (or a name).

    Args:
        config: a dict with `class_name` and `config`, or a name.
        custom_objects: optional {name: class or function} for custom regularizers.
    """
    return registry.deserialize_member(config, ALL_OBJECTS, "regularizer", custom_objects)


def get(identifier):
    """Return a regularizer from a name, a config dict, an instance, a callable or None.

    Args:
        identifier: e.g. `'l2'` (with its default factor) or `L2(0.001)`.

    Example:
        >>> nbkeras.regularizers.get("l1").get_config()
        {'l1': 0.009999999776482582}
    """
    return registry.get_member(identifier, ALL_OBJECTS, "regularizer", deserialize)


__all__ = ["L1", "L2", "L1L2", "OrthogonalRegularizer", "Regularizer", "l1", "l2", "l1_l2",
           "orthogonal_regularizer", "get", "serialize", "deserialize", "validate_float_arg"]
