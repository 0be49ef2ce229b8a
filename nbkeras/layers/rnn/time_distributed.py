"""`TimeDistributed`: apply a layer to every time step."""

from nbkeras import ops
from nbkeras.layers.core.wrapper import Wrapper
from nbkeras.layers.layer import Layer


class TimeDistributed(Wrapper):
    """Apply `layer` to every slice along axis 1 of a (batch, time, ...) input.

    Example:
        >>> td = nbkeras.layers.TimeDistributed(nbkeras.layers.Dense(4))
        >>> td(np.zeros((2, 5, 3))).shape
        (2, 5, 4)
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `TimeDistributed` layer with a `keras.layers.Layer` "
                f"instance. Received: {layer}")
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def build(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError(
                "`TimeDistributed` Layer should be passed an `input_shape` with at least 3 "
                f"dimensions, received: {tuple(input_shape)}")
        self.layer._maybe_build((None,) + tuple(input_shape[2:]))
        self.built = True

    def call(self, inputs, training=None, mask=None):
        shape = inputs.shape
        if len(shape) < 3:
            raise ValueError(
                "`TimeDistributed` Layer should be passed an `input_shape` with at least 3 "
                f"dimensions, received: {tuple(shape)}")
        n, t = shape[0], shape[1]
        flat = ops.reshape(inputs, (n * t,) + tuple(shape[2:]))
        y = self.layer(flat, training=training)
        return ops.reshape(y, (n, t) + tuple(y.shape[1:]))

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape((None,) + tuple(input_shape[2:]))
        return tuple(input_shape[:2]) + tuple(inner[1:])
