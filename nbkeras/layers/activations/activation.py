"""`Activation`: applies an activation function to its input."""

from nbkeras import activations
from nbkeras.layers.layer import Layer


class Activation(Layer):
    """Applies an activation function.

    Args:
        activation: a name such as `'relu'`, or a function.

    Example:
        >>> nbkeras.layers.Activation("relu")(np.array([[-1.0, 2.0]]))
        array([[0., 2.]], dtype=float32)
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.built = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg["activation"] = activations.serialize(self.activation)
        return cfg
