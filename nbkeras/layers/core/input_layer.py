"""`InputLayer` and `Input`: the entry point of a model's graph."""

from nbkeras.layers.layer import Layer, dtype_name
from nbkeras.layers.node import KerasTensor, Node


class InputLayer(Layer):
    """A layer that holds a model's symbolic input.

    Args:
        shape: the shape of one sample (without the batch axis).
        batch_size: an optional fixed batch size.
        dtype: the input's dtype (floatx by default).
        name: the layer's name (`input_layer`, `input_layer_1`, ...).

    Example:
        >>> layer = nbkeras.layers.InputLayer(shape=(20,))
        >>> layer.output.shape
        (None, 20)
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None,
                 batch_shape=None, input_tensor=None, optional=False, name=None, ragged=None,
                 **kwargs):
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        super().__init__(name=name, dtype=dtype, **kwargs)
        if batch_shape is None:
            if shape is None:
                raise ValueError(
                    "You must pass a `shape` argument to InputLayer or Input. Received: shape=None"
                )
            if isinstance(shape, int):
                shape = (shape,)
            batch_shape = (batch_size,) + tuple(shape)
        self._batch_shape = tuple(batch_shape)
        self.batch_size = batch_size
        self.sparse = bool(sparse)
        if ragged:
            raise ValueError(f"nbkeras does not support ragged inputs. Received: ragged={ragged!r}")
        self.ragged = False
        self.optional = optional
        self.built = True
        tensor = KerasTensor(self._batch_shape, dtype=self.dtype, name=self.name)
        self._inbound_nodes.append(Node(self, [], [tensor]))
        tensor._keras_history = (self, 0, 0)

    @property
    def batch_shape(self):
        return self._batch_shape

    def get_config(self):
        return {"batch_shape": self._batch_shape, "dtype": self.dtype, "sparse": self.sparse,
                "ragged": self.ragged, "name": self.name, "optional": self.optional}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
          name=None, tensor=None, optional=False):
    """Create a symbolic input tensor for a model.

    Args:
        shape: the shape of one sample, e.g. `(20,)`.
        batch_size: an optional fixed batch size.
        dtype: the dtype (floatx by default).
        batch_shape: the full shape including the batch axis, instead of `shape`.
        name: the name of the input layer.

    Returns:
        A `KerasTensor`.

    Example:
        >>> x = nbkeras.Input(shape=(20,))
        >>> y = nbkeras.layers.Dense(4)(x)
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype_name(dtype), sparse=sparse,
                       batch_shape=batch_shape, name=name, optional=optional)
    return layer.output
