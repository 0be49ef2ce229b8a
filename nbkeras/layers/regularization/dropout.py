"""`Dropout`: randomly zeroes inputs during training."""

import numpy as np

from nbkeras import ops
from nbkeras.layers.layer import Layer



def check_rate(rate, arg="rate"):
    """Keras's check of a rate argument: a float in [0, 1]."""
    if not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
        raise ValueError(f"Invalid value received for argument `{arg}`. Expected a float value "
                         f"between 0 and 1. Received: {arg}={rate!r}")
    return float(rate)

class Dropout(Layer):
    """Sets inputs to 0 with probability `rate` in training, scaling the rest by 1 / (1 - rate).

    At inference (`training` False or None) the layer is the identity.

    Args:
        rate: the drop probability, in [0, 1).
        noise_shape: the shape of the mask, broadcast over the input (None entries
            take the input's size).
        seed: an int for reproducible masks.

    Example:
        >>> layer = nbkeras.layers.Dropout(0.5, seed=1)
        >>> layer(np.ones((2, 4)), training=True)  # about half the entries are 2.0
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = check_rate(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self._rng = np.random.default_rng(seed) if seed is not None else None
        self.built = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self.rate == 1:
            return ops.multiply(inputs, 0.0)
        seed = None if self._rng is None else int(self._rng.integers(0, 2**31 - 1))
        return ops.dropout(inputs, self.rate, self._noise_shape(inputs.shape), seed)

    def _noise_shape(self, shape):
        """The shape of the keep mask for an input of `shape` (broadcast over the rest)."""
        return self.noise_shape

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape})
        return cfg
