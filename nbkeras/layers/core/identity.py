"""`Identity`: returns its input unchanged (a placeholder layer)."""

from nbkeras.layers.layer import Layer
from nbkeras.layers.node import KerasTensor


class Identity(Layer):
    """A layer that returns its inputs (any tensor or structure of tensors) as they are.

    Masks pass through. Useful as a placeholder where a layer is expected but no operation
    should be performed.

    Args:
        **kwargs: the base layer arguments (`name`, `dtype`, `trainable`).

    Example:
        >>> x = np.ones((2, 3), "float32")
        >>> nbkeras.layers.Identity()(x) is x
        True
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def compute_output_spec(self, inputs, *args, **kwargs):
        if isinstance(inputs, (list, tuple)):
            return type(inputs)(self.compute_output_spec(t) for t in inputs)
        if isinstance(inputs, dict):
            return {k: self.compute_output_spec(v) for k, v in inputs.items()}
        return KerasTensor(inputs.shape, dtype=inputs.dtype)
