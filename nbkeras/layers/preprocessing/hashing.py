"""`Hashing`: bucket strings or integers by a hash, with Keras's (TensorFlow's) hash values."""

import numpy as np

from nbkeras import config
from nbkeras.layers.layer import Layer
from nbkeras.layers.node import KerasTensor
from nbkeras.layers.preprocessing.encoding import encode_categorical
from nbkeras.layers.preprocessing.string_hash import fingerprint64, siphash24
from nbkeras.ops.core import unwrap


def _as_text(value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, (float, np.floating)):
        value = int(value)  # Keras casts floats to int64 before hashing
    if isinstance(value, (int, np.integer)):
        return str(int(value)).encode()
    return str(value).encode("utf-8")


class Hashing(Layer):
    """Maps each value to one of `num_bins` buckets: `hash(str(value)) % num_bins`.

    The hash is FarmHash's Fingerprint64, or SipHash-2-4 keyed by `salt`, so the
    buckets equal Keras's. Integers are hashed as their decimal strings (floats are
    truncated to integers first). With `mask_value`, that value goes to bucket 0 and
    the others to buckets 1..num_bins-1.

    Args:
        num_bins: the number of buckets (mask bucket included).
        mask_value: a value sent to bucket 0 (None).
        salt: an int or a pair of ints: use the keyed (strong) hash.
        output_mode: 'int' (default), 'one_hot', 'multi_hot' or 'count'.
        sparse: must be False.

    Example:
        >>> nbkeras.layers.Hashing(num_bins=3)(np.array([["A"], ["B"], ["C"]]))
        array([[1],
               [0],
               [1]])
    """

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else config.floatx()
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError("The `num_bins` for `Hashing` cannot be `None` or non-positive "
                             f"values. Received: num_bins={num_bins}.")
        if output_mode == "int" and self.dtype not in ("int32", "int64"):
            raise ValueError('When `output_mode="int"`, `dtype` should be an integer type, '
                             f"'int32' or 'in64'. Received: dtype={kwargs['dtype']}")
        modes = ("int", "one_hot", "multi_hot", "count")
        if output_mode not in modes:
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of {modes}. "
                             f"Received: output_mode={output_mode}")
        if sparse:
            raise ValueError("nbkeras has no sparse tensors. Received: sparse=True")
        self.num_bins, self.mask_value = int(num_bins), mask_value
        self.strong_hash = salt is not None
        self.output_mode, self.sparse = output_mode, sparse
        self.salt = None
        if salt is not None:
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                self.salt = list(salt)
            elif isinstance(salt, int):
                self.salt = [salt, salt]
            else:
                raise ValueError("The `salt` argument for `Hashing` can only be a tuple of size 2 "
                                 f"integers, or a single integer. Received: salt={salt}.")
        self.built = True

    def _convert_inputs(self, x):
        return x

    def _bins(self, values):
        bins = self.num_bins
        masked = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            masked = values == self.mask_value
        flat = values.reshape(-1).tolist()
        cache = {}
        out = np.empty(len(flat), np.int64)
        for i, v in enumerate(flat):
            h = cache.get(v)
            if h is None:
                data = _as_text(v)
                h = cache[v] = (siphash24(self.salt, data) if self.strong_hash
                                else fingerprint64(data)) % bins
            out[i] = h
        out = out.reshape(values.shape)
        if masked is not None:
            out = np.where(masked, 0, out + 1)
        return out

    def call(self, inputs):
        a = np.asarray(unwrap(inputs))
        if self.output_mode == "one_hot" and a.ndim and a.shape[-1] == 1:
            a = a[..., 0]
        idx = self._bins(a)
        if self.output_mode == "int":
            return idx.astype(self.dtype)
        return encode_categorical(idx, self.output_mode, self.num_bins, self.dtype)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        if len(input_shape) == 0:
            return (self.num_bins,)
        return tuple(input_shape[:-1]) + (self.num_bins,)

    def compute_output_spec(self, inputs, *args, **kwargs):
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=self.dtype)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"num_bins": self.num_bins, "salt": self.salt, "mask_value": self.mask_value,
                    "output_mode": self.output_mode, "sparse": self.sparse})
        return cfg
