"""`Permute`: reorders the non-batch axes."""

from nbkeras import ops
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer


class Permute(Layer):
    """Permute the axes of each sample (the batch axis stays first).

    Args:
        dims: a permutation of 1..rank, e.g. (2, 1) swaps the two non-batch axes.

    Example:
        >>> nbkeras.layers.Permute((2, 1))(np.zeros((4, 3, 5))).shape
        (4, 5, 3)
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                "Invalid permutation argument `dims` for Permute Layer. The set of indices in "
                f"`dims` must be consecutive and start from 1. Received dims={dims}"
            )
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs):
        return ops.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        cfg = super().get_config()
        cfg["dims"] = self.dims
        return cfg
