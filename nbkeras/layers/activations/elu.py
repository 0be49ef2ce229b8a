"""`ELU`: the exponential linear unit as a layer."""

from nbkeras import activations
from nbkeras.layers.layer import Layer


class ELU(Layer):
    """Exponential linear unit: `x` for `x > 0`, `alpha * (exp(x) - 1)` otherwise.

    Args:
        alpha: the scale of the negative section (1.0 by default).
        **kwargs: base layer arguments such as `name` and `dtype`.

    Example:
        >>> nbkeras.layers.ELU(alpha=0.5)(np.array([-1.0, 2.0], "float32"))
        array([-0.31606027,  2.        ], dtype=float32)
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return activations.elu(inputs, alpha=self.alpha)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg["alpha"] = self.alpha
        return cfg
