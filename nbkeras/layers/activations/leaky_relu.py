"""`LeakyReLU`: `x` for `x >= 0`, `negative_slope * x` otherwise."""

import warnings

from nbkeras import activations
from nbkeras.layers.layer import Layer


class LeakyReLU(Layer):
    """Leaky rectified linear unit: lets a small gradient through when the unit is off.

    Args:
        negative_slope: float >= 0, the slope for negative inputs (0.3 by default).
        **kwargs: base layer arguments such as `name` and `dtype`; Keras 2's
            `alpha=` is accepted (with a deprecation warning) as `negative_slope`.

    Example:
        >>> nbkeras.layers.LeakyReLU(negative_slope=0.5)(np.array([-10.0, 5.0], "float32"))
        array([-5.,  5.], dtype=float32)
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use `negative_slope` instead.",
                          stacklevel=2)
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError(
                "The negative_slope value of a Leaky ReLU layer cannot be None or a negative "
                f"value. Expected a float. Received: negative_slope={negative_slope!r}"
            )
        self.negative_slope = negative_slope
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return activations.leaky_relu(inputs, negative_slope=self.negative_slope)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg["negative_slope"] = self.negative_slope
        return cfg
