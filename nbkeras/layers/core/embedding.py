"""`Embedding`: turn integer indices into dense vectors."""

import numpy as np

from nbkeras.utils import index_utils

from nbkeras import constraints, initializers, regularizers
from nbkeras.backend import kernels as K
from nbkeras.layers.layer import Layer
from nbkeras.ops.core import op, untracked_op, unwrap


def _gather_rows(table, idx):
    """table[idx] with the gradient scattered back into the table's rows (one kernel)."""

    def forward(xp, w, i):
        return w[i]

    def backward(xp, g, needs, arrays, out):
        w, i = arrays
        gw = K.zeros(w.shape, w.dtype)
        K.scatter_add_rows(K.asarray(i.reshape(-1)),
                           K.asarray(g, w.dtype).reshape(-1, w.shape[1]), gw)
        return gw, None

    return op("take", forward, (table, idx), backward, {"axis": 0})


class Embedding(Layer):
    """A lookup table of `input_dim` vectors of size `output_dim`.

    Args:
        input_dim: the vocabulary size (indices lie in [0, input_dim)).
        output_dim: the size of each vector.
        embeddings_initializer: initializer of the table ('uniform': [-0.05, 0.05]).
        embeddings_regularizer / embeddings_constraint: penalty and projection of the table.
        mask_zero: treat index 0 as padding and emit a mask for the layers that follow.
        input_length: Keras 2's fixed sequence length: as the first layer of a
            `Sequential`, it gives the input shape `(batch, input_length)`, so the model
            builds at once.

    Example:
        >>> nbkeras.layers.Embedding(10, 4)(np.array([[1, 2, 0]])).shape
        (1, 3, 4)
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, lora_alpha=None, input_length=None,
                 activity_regularizer=None, quantization_config=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        for arg, v in (("input_dim", input_dim), ("output_dim", output_dim)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v <= 0:
                raise ValueError(f"Received an invalid value for argument `{arg}`, expected a "
                                 f"positive integer. Received: {arg}={v!r}")
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.input_length = input_length
        if input_length is not None and self._input_shape_arg is None:
            self._input_shape_arg = (None, int(input_length))
        self.lora_rank = lora_rank
        self._initial_weights = weights

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(
            name="embeddings", shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer, regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint)
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None
        self.built = True

    def _indices(self, inputs):
        a = np.asarray(unwrap(inputs))
        if a.dtype.kind not in "biuf":
            raise TypeError(f"Layer '{self.name}' expects integer indices. "
                            f"Received: inputs of dtype {a.dtype}")
        self.check_input_data(a, "inputs")
        idx = a.astype(np.int64)
        return idx

    def check_input_data(self, data, name, offset=0):
        """Raise IndexError naming `name` and the sample if `data` (the whole array a model
        will feed this layer) holds an index outside [0, input_dim), NaN or inf."""
        bad = index_utils.first_out_of_range(data, self.input_dim)
        if bad is not None:
            pos = (bad[0][0] + offset,) + bad[0][1:]
            value = index_utils.describe(bad[1])
            raise IndexError(
                f"Layer '{self.name}' received the index {value} {index_utils.where(pos)} of "
                f"`{name}`, outside [0, {self.input_dim}) for input_dim={self.input_dim}. "
                f"Received: {name}[{', '.join(map(str, pos))}]={value}")

    def call(self, inputs):
        return _gather_rows(self.embeddings, untracked_op("embedding_indices", self._indices, (inputs,)))

    def compute_mask(self, inputs, previous_mask=None):
        if not self.mask_zero:
            return None
        return np.asarray(unwrap(inputs)) != 0

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "quantization_config": None,
        })
        return cfg
