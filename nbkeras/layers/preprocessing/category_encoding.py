"""`CategoryEncoding`: one-hot, multi-hot or count encoding of integer category ids."""

import numpy as np

from nbkeras.layers.layer import Layer
from nbkeras.layers.preprocessing.encoding import encode_categorical, encoded_shape
from nbkeras.ops.core import unwrap


class CategoryEncoding(Layer):
    """Encodes integer ids in [0, num_tokens) as dense vectors.

    Args:
        num_tokens: the number of categories.
        output_mode: 'multi_hot' (default; Keras 2's 'binary'), 'one_hot' or 'count'.
        sparse: must be False (nbkeras has no sparse tensors).

    Call args:
        inputs: integer ids, shape (batch,) or (batch, k).
        count_weights: weights of the ids, summed instead of counted ('count' only).

    Example:
        >>> nbkeras.layers.CategoryEncoding(4, output_mode="one_hot")(np.array([3, 0]))
        array([[0., 0., 0., 1.],
               [1., 0., 0., 0.]], dtype=float32)
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"Unknown arg for output_mode: {output_mode}. Expected one of "
                             f"'count', 'one_hot', 'multi_hot'. Received: output_mode="
                             f"{output_mode!r}")
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of tokens "
                             "is not known beforehand, use the IntegerLookup layer instead. "
                             "Received: num_tokens=None")
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise ValueError("nbkeras has no sparse tensors. Received: sparse=True")
        self.num_tokens, self.output_mode, self.sparse = int(num_tokens), output_mode, sparse
        self.built = True

    def call(self, inputs, count_weights=None):
        if count_weights is not None and self.output_mode != "count":
            raise ValueError("`count_weights` is not used when `output_mode` is not `'count'`. "
                             f"Received `count_weights={count_weights}`.")
        cw = None if count_weights is None else np.asarray(unwrap(count_weights))
        return encode_categorical(np.asarray(unwrap(inputs)), self.output_mode, self.num_tokens,
                                  self.dtype, count_weights=cw)

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.output_mode, self.num_tokens)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"num_tokens": self.num_tokens, "output_mode": self.output_mode,
                    "sparse": self.sparse})
        return cfg
