"""`Softmax`: normalizes its input to probabilities along one or more axes, with a mask."""

import numpy as np

from nbkeras import activations, ops
from nbkeras.layers.layer import Layer
from nbkeras.ops.core import unwrap


def _large_negative(dtype):
    return -3e4 if np.dtype(dtype) == np.float16 else -1e9


def _check_mask(mask, inputs):
    ms, xs = tuple(np.shape(mask)), tuple(np.shape(inputs))
    ok = len(ms) <= len(xs) and all(m in (1, d) for m, d in zip(ms[::-1], xs[::-1]))
    if not ok:
        raise ValueError(
            "The `mask` must be broadcastable to `inputs`: each mask dimension must be 1 or "
            f"match the input's, and it must not have more dimensions. "
            f"Received: inputs.shape={xs}, mask.shape={ms}"
        )


class Softmax(Layer):
    """Softmax along `axis`: `exp(x - max(x)) / sum(exp(x - max(x)))`.

    Args:
        axis: an int, or a list of ints to normalize over several axes at once.
        **kwargs: base layer arguments such as `name` and `dtype`.

    Call arguments:
        inputs: the logits.
        mask: optional, broadcastable to `inputs`; 1 keeps an entry, 0 masks it
            (masked entries get probability 0).

    Example:
        >>> nbkeras.layers.Softmax()(np.array([1.0, 2.0, 1.0], "float32"))
        array([0.21194156, 0.57611686, 0.21194156], dtype=float32)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True
        self.built = True

    def call(self, inputs, mask=None):
        keep = None
        if mask is not None:
            _check_mask(unwrap(mask), unwrap(inputs))
            m = np.asarray(unwrap(mask))
            keep = m if m.dtype == bool else m > 0.5
            inputs = ops.where(keep, inputs, _large_negative(unwrap(inputs).dtype))
        axis = self.axis
        if isinstance(axis, (list, tuple)) and len(axis) > 1:
            lse = ops.logsumexp(inputs, axis=tuple(axis), keepdims=True)
            outputs = ops.exp(ops.subtract(inputs, lse))
        else:
            if isinstance(axis, (list, tuple)):
                axis = axis[0]
            outputs = activations.softmax(inputs, axis=axis)
        if keep is not None:
            outputs = ops.where(keep, outputs, 0.0)
        return outputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg["axis"] = self.axis
        return cfg
