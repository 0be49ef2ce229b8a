"""Layers with Keras 3's names, arguments and defaults.

Example:
    >>> from nbkeras.layers import Dense, Dropout
    >>> Dense(16, activation="relu")
"""

from nbkeras.layers.activations.activation import Activation
from nbkeras.layers.core.dense import Dense
from nbkeras.layers.core.input_layer import Input, InputLayer
from nbkeras.layers.core.lambda_layer import Lambda
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer
from nbkeras.layers.merging.concatenate import Concatenate, concatenate
from nbkeras.layers.merging.dot import Dot, dot
from nbkeras.layers.merging.merges import (
    Add, Average, Maximum, Minimum, Multiply, Subtract, add, average, maximum, minimum, multiply,
    subtract,
)
from nbkeras.layers.normalization.batch_normalization import BatchNormalization
from nbkeras.layers.regularization.dropout import Dropout
from nbkeras.layers.reshaping.flatten import Flatten
from nbkeras.layers.reshaping.reshape import Reshape

__all__ = ["Activation", "Add", "Average", "BatchNormalization", "Concatenate", "Dense", "Dot",
           "Dropout", "Flatten", "Input", "InputLayer", "InputSpec", "Lambda", "Layer", "Maximum",
           "Minimum", "Multiply", "Reshape", "Subtract", "add", "average", "concatenate", "dot",
           "maximum", "minimum", "multiply", "subtract", "serialize", "deserialize", "get"]


def _classes():
    import nbkeras.layers as mod

    return {name: getattr(mod, name) for name in __all__
            if isinstance(getattr(mod, name, None), type) and issubclass(getattr(mod, name), Layer)}


def serialize(layer):
    """Return Keras's `{'module', 'class_name', 'config', ...}` dict for a layer."""
    from nbkeras.utils.registry import serialize as _ser

    return _ser(layer)


def deserialize(config, custom_objects=None):
    """Create a layer from `serialize`'s dict."""
    classes = dict(_classes())
    from nbkeras.models import Sequential

    classes["Sequential"] = Sequential
    classes.update(custom_objects or {})
    from nbkeras.utils.registry import lookup

    cls = lookup(config["class_name"], classes, "layer class", "class_name")
    return cls.from_config(config["config"])


get = deserialize
