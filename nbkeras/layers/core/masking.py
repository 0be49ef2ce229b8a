"""`Masking`: mark time steps whose features all equal `mask_value` as padding."""

import numpy as np

from nbkeras import ops
from nbkeras.layers.layer import Layer
from nbkeras.ops.core import unwrap


class Masking(Layer):
    """Zero the time steps whose features all equal `mask_value` and mask them for the
    layers that follow (recurrent layers then skip them).

    Example:
        >>> x = np.array([[[1.0], [0.0]]])
        >>> nbkeras.layers.Masking()(x)  # the second step is masked
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True
        self.built = True

    def _keep(self, inputs):
        return np.any(np.asarray(unwrap(inputs)) != self.mask_value, axis=-1)

    def call(self, inputs):
        keep = self._keep(inputs)
        return ops.multiply(inputs, keep[..., None].astype(inputs.dtype))

    def compute_mask(self, inputs, previous_mask=None):
        return self._keep(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg["mask_value"] = self.mask_value
        return cfg
