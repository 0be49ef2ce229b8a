"""Layers with Keras 3's names, arguments and defaults.

Example:
    >>> from nbkeras.layers import Dense, Dropout
    >>> Dense(16, activation="relu")
"""

from nbkeras.layers.activations.activation import Activation
from nbkeras.layers.activations.elu import ELU
from nbkeras.layers.activations.leaky_relu import LeakyReLU
from nbkeras.layers.activations.prelu import PReLU
from nbkeras.layers.activations.relu import ReLU
from nbkeras.layers.activations.softmax import Softmax
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
__all__ += ["ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax"]


def _classes():
    import nbkeras.layers as mod

    return {name: getattr(mod, name) for name in __all__
            if isinstance(getattr(mod, name, None), type) and issubclass(getattr(mod, name), Layer)}


def serialize(layer):
    """Return Keras 3's `{'module', 'class_name', 'config', 'registered_name', ...}` dict.

    Example:
        >>> nbkeras.layers.serialize(nbkeras.layers.Dense(2))["module"]
        'keras.layers'
    """
    from nbkeras.saving.serialization import serialize_keras_object

    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """Create a layer from `serialize`'s dict (Keras 3's or Keras 2's form).

    Args:
        config: the dict.
        custom_objects: `{name: class}` for custom layers.
    """
    from nbkeras.saving.serialization import deserialize_keras_object

    layer = deserialize_keras_object(config, custom_objects)
    if not isinstance(layer, Layer):
        raise ValueError(f"The config does not describe a layer. Received: {config!r}")
    return layer


get = deserialize
