"""`Reshape`: gives each sample a new shape."""

import numpy as np

from nbkeras import ops
from nbkeras.layers.layer import Layer


class Reshape(Layer):
    """Reshapes each sample to `target_shape` (one entry may be -1).

    Args:
        target_shape: the new shape of one sample, without the batch axis.

    Example:
        >>> nbkeras.layers.Reshape((3, 4))(np.zeros((2, 12))).shape
        (2, 3, 4)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)
        self.built = True

    def _resolve(self, input_shape):
        size = None if any(d is None for d in input_shape[1:]) else int(np.prod(input_shape[1:]))
        target = list(self.target_shape)
        if -1 in target:
            known = int(np.prod([d for d in target if d != -1]))
            if size is not None:
                if known == 0 or size % known:
                    raise ValueError(self._bad(input_shape))
                target[target.index(-1)] = size // known
            else:
                target[target.index(-1)] = None
        elif size is not None and size != int(np.prod(target)):
            raise ValueError(self._bad(input_shape))
        return tuple(target)

    def _bad(self, input_shape):
        return (
            f"Layer '{self.name}' cannot reshape a sample of shape {tuple(input_shape[1:])} "
            f"into target_shape={self.target_shape}. Received: input_shape={tuple(input_shape)}"
        )

    def call(self, inputs):
        return ops.reshape(inputs, (inputs.shape[0],) + self._resolve(tuple(inputs.shape)))

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolve(tuple(input_shape))

    def get_config(self):
        cfg = super().get_config()
        cfg["target_shape"] = self.target_shape
        return cfg
