"""Activation functions with Keras 3's names, defaults and numbers, and their registry.

Example:
    >>> nbkeras.activations.get("relu")(np.array([-1.0, 1.0], "float32"))
    array([0., 1.], dtype=float32)
"""

import types

from nbkeras.activations.hard import (
    hard_shrink, hard_sigmoid, hard_silu, hard_swish, hard_tanh, soft_shrink, sparse_plus,
    sparse_sigmoid,
)
from nbkeras.activations.relu import celu, elu, leaky_relu, relu, relu6, selu, threshold
from nbkeras.activations.smooth import (
    exponential, gelu, linear, log_sigmoid, mish, sigmoid, silu, softplus, softsign, squareplus,
    swish, tanh, tanh_shrink,
)
from nbkeras.activations.softmax import glu, log_softmax, softmax
from nbkeras.utils.function_config import find_function, serialize_function
from nbkeras.utils.registry import lookup

_FUNCTIONS = (relu, leaky_relu, relu6, softmax, celu, elu, selu, softplus, softsign, squareplus,
              soft_shrink, sparse_plus, silu, gelu, glu, tanh, tanh_shrink, threshold, sigmoid,
              sparse_sigmoid, exponential, hard_sigmoid, hard_silu, hard_tanh, hard_shrink, linear,
              mish, log_softmax, log_sigmoid)
ALL_OBJECTS_DICT = {f.__name__: f for f in _FUNCTIONS}
ALL_OBJECTS_DICT.update({"swish": silu, "hard_swish": hard_silu})

# Activations that the fused dense kernel implements: function -> (kernel name, parameter).
FUSED = {relu: ("relu", 0.0), sigmoid: ("sigmoid", 0.0), tanh: ("tanh", 0.0),
         elu: ("elu", 1.0), selu: ("selu", 0.0), softplus: ("softplus", 0.0),
         softsign: ("softsign", 0.0), silu: ("silu", 0.0), gelu: ("gelu", 0.0),
         linear: ("linear", 0.0), exponential: ("exponential", 0.0), relu6: ("relu6", 0.0),
         mish: ("mish", 0.0), hard_sigmoid: ("hard_sigmoid", 0.0), hard_silu: ("hard_silu", 0.0),
         leaky_relu: ("leaky_relu", 0.2)}


def get(identifier):
    """Return the activation function for a name, a config dict, a callable or None (linear).

    Args:
        identifier: e.g. `'relu'`, `nbkeras.activations.tanh`, a layer such as
            `LeakyReLU()`, or None.

    Example:
        >>> nbkeras.activations.get(None) is nbkeras.activations.linear
        True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        if identifier not in ALL_OBJECTS_DICT:
            custom = find_function(identifier)
            if custom is not None:
                return custom
        return lookup(identifier, ALL_OBJECTS_DICT, "activation", "activation")
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(
        "Could not interpret activation identifier. Expected a string, a dict or a callable. "
        f"Received: activation={identifier!r}"
    )


def serialize(activation):
    """Return Keras's form: the name of a built-in function, else a config dict.

    Example:
        >>> nbkeras.activations.serialize(nbkeras.activations.swish)
        'silu'
    """
    if isinstance(activation, types.FunctionType):
        name = activation.__name__
        if ALL_OBJECTS_DICT.get(name) is activation:
            return name
        if name == "<lambda>":
            return _serialize_lambda(activation)
        return serialize_function(activation)
    if hasattr(activation, "get_config"):
        from nbkeras.utils.registry import serialize as _serialize

        out = _serialize(activation)
        if out["module"].startswith("keras.layers"):
            out["module"] = "keras.layers"
        return out
    return getattr(activation, "__name__", repr(activation))


def _serialize_lambda(fn):
    """A lambda is stored as bytecode, as Keras does; loading it needs `safe_mode=False`."""
    import warnings

    from nbkeras.saving.serialization import serialize_keras_object

    warnings.warn(
        "The object being serialized includes a `lambda`. This is unsafe. In order to reload "
        "the object, you will have to pass `safe_mode=False` to the loading function. Please "
        "avoid using `lambda` in the future, and use named Python functions instead.",
        stacklevel=3)
    return serialize_keras_object(fn)


def deserialize(config, custom_objects=None):
    """Inverse of `serialize`: a name, a function dict or a layer dict.

    Args:
        config: what `serialize` returned.
        custom_objects: optional {name: callable} for custom activations.
    """
    if isinstance(config, str):
        custom = find_function(config, custom_objects) if config not in ALL_OBJECTS_DICT else None
        return custom if custom is not None else get(config)
    if isinstance(config, dict) and (config.get("class_name") == "__lambda__"
                                     or set(config) == {"value"}):
        # Bytecode: Keras 3 writes the inner `{"value": [code, defaults, closure]}` alone.
        from nbkeras.saving.serialization import deserialize_keras_object

        if "class_name" not in config:
            config = {"class_name": "__lambda__", "config": config}
        return deserialize_keras_object(config, custom_objects)
    if isinstance(config, dict):
        inner = config.get("config")
        if config.get("class_name") == "function" or isinstance(inner, str):
            return deserialize(inner, custom_objects)
        from nbkeras import layers

        return layers.deserialize(config, custom_objects=custom_objects)
    return get(config)


__all__ = sorted(ALL_OBJECTS_DICT) + ["get", "serialize", "deserialize"]
