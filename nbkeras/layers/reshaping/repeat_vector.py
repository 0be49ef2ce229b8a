"""`RepeatVector`: (batch, features) -> (batch, n, features)."""

from nbkeras import ops
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer
from nbkeras.ops.conv import repeat_axis


class RepeatVector(Layer):
    """Repeat each input vector `n` times along a new axis 1.

    Args:
        n: the number of repetitions.

    Example:
        >>> nbkeras.layers.RepeatVector(3)(np.zeros((2, 4))).shape
        (2, 3, 4)
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"Expected an integer value for `n`, got {type(n)}.")
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return repeat_axis(ops.expand_dims(inputs, 1), self.n, 1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        cfg = super().get_config()
        cfg["n"] = self.n
        return cfg
