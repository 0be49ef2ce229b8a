"""Weight initializers with Keras 3's names, defaults, statistics and configs.

Example:
    >>> init = nbkeras.initializers.GlorotUniform(seed=1)
    >>> init((2, 3)).shape
    (2, 3)
"""

from nbkeras.initializers.constant_initializers import Constant, Identity, Ones, Zeros
from nbkeras.initializers.initializer import Initializer
from nbkeras.initializers.random_initializers import (
    Orthogonal, RandomInitializer, RandomNormal, RandomUniform, TruncatedNormal,
)
from nbkeras.initializers.variance_scaling import (
    GlorotNormal, GlorotUniform, HeNormal, HeUniform, LecunNormal, LecunUniform, VarianceScaling,
    compute_fans,
)
from nbkeras.utils import registry
from nbkeras.utils.registry import to_snake_case

OrthogonalInitializer = Orthogonal
IdentityInitializer = Identity
_CLASSES = [Zeros, Ones, Constant, RandomUniform, RandomNormal, TruncatedNormal, VarianceScaling,
            GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal,
            Orthogonal, Identity]
ALL_OBJECTS = {c.__name__: c for c in _CLASSES}
ALL_OBJECTS.update({to_snake_case(c.__name__): c for c in _CLASSES})
ALL_OBJECTS.update({"zero": Zeros, "one": Ones, "uniform": RandomUniform, "normal": RandomNormal,
                    "OrthogonalInitializer": Orthogonal, "IdentityInitializer": Identity})

# Function-style aliases, as in `keras.initializers.glorot_uniform`.
zeros, ones, constant = Zeros, Ones, Constant
random_uniform, random_normal, truncated_normal = RandomUniform, RandomNormal, TruncatedNormal
variance_scaling, orthogonal, identity = VarianceScaling, Orthogonal, Identity
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
he_uniform, he_normal, lecun_uniform, lecun_normal = HeUniform, HeNormal, LecunUniform, LecunNormal


def serialize(initializer):
    """Return Keras's `{'module', 'class_name', 'config', 'registered_name'}` dict.

    Example:
        >>> nbkeras.initializers.serialize(nbkeras.initializers.Zeros())["class_name"]
        'Zeros'
    """
    return registry.serialize_member(initializer, _CLASSES, "keras.initializers")


def deserialize(config, custom_objects=None):
    """Create an initializer from `serialize`'s dict (or a name).

    Args:
        config: a dict with `class_name` and `config`, or a name.
        custom_objects: optional {name: class} for custom initializers.
    """
    return registry.deserialize_member(config, ALL_OBJECTS, "initializer", custom_objects)


def get(identifier):
    """Return an initializer from a name, a config dict, an instance or a callable.

    Args:
        identifier: e.g. `'glorot_uniform'` or `GlorotUniform(seed=1)`.

    Example:
        >>> nbkeras.initializers.get("zeros")((2,))
        array([0., 0.], dtype=float32)
    """
    return registry.get_member(identifier, ALL_OBJECTS, "initializer", deserialize, functions=False)


__all__ = list(ALL_OBJECTS) + ["get", "serialize", "deserialize", "Initializer",
                               "RandomInitializer", "compute_fans"]
