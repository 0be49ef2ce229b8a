"""`Normalization`: `(x - mean) / sqrt(variance)` per feature, with the statistics from
`adapt(data)` or given."""

import numpy as np

from nbkeras import config, ops
from nbkeras.layers.layer import Layer
from nbkeras.layers.preprocessing.adapt_data import adapt_batches


class Normalization(Layer):
    """Shifts and scales inputs to mean 0 and variance 1 per feature.

    Output: `(x - mean) / max(sqrt(variance), epsilon)`, or with `invert=True`
    `mean + x * max(sqrt(variance), epsilon)`. Give `mean` and `variance`, or call
    `adapt(data)` before training; adapted statistics are saved with the weights.

    Args:
        axis: the axis (or axes) kept: each index along it has its own mean and variance
            (-1 by default: one per feature); None gives one scalar mean and variance.
        mean, variance: the statistics (floats or arrays broadcast over the kept axes).
        invert: undo the normalization instead.

    Example:
        >>> norm = nbkeras.layers.Normalization()
        >>> norm.adapt(np.array([[1.0, 10.0], [3.0, 30.0]], "float32"))
        >>> norm(np.array([[1.0, 10.0]], "float32"))
        array([[-1., -1.]], dtype=float32)
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, (int, np.integer)):
            axis = (int(axis),)
        else:
            axis = tuple(axis)
        self.axis = axis
        self.input_mean, self.input_variance = mean, variance
        self.invert = invert
        self.supports_masking = True
        self.mean = self.variance = None
        if (mean is not None) != (variance is not None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be "
                             f"set. Received: mean={mean} and variance={variance}")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError("When setting values directly, `mean` and `variance` must have "
                                 f"the same shape. Received: mean shape {np.shape(mean)} and "
                                 f"variance shape {np.shape(variance)}")
            if np.ndim(mean) > len(self.axis):
                raise ValueError(f"The rank of `mean` must be less than or equal to the number "
                                 f"of axes ({len(self.axis)}). Received: mean shape "
                                 f"{np.shape(mean)} for axis {self.axis}")

    def build(self, input_shape):
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError("All `axis` values must be in the range [-ndim, ndim). Received "
                             f"inputs with ndim={ndim}, while axis={self.axis}")
        keep = tuple(sorted(a % ndim for a in self.axis))
        for d in keep:
            if input_shape[d] is None:
                raise ValueError(f"All `axis` values to be kept must have a known shape. "
                                 f"Received axis={self.axis}, inputs.shape={tuple(input_shape)}, "
                                 f"with unknown axis at index {d}")
        self._build_input_shape = tuple(input_shape)
        self._keep_axis = keep
        self._reduce_axis = tuple(d for d in range(ndim) if d not in keep)
        self._broadcast_shape = tuple(input_shape[d] if d in keep else 1 for d in range(ndim))
        stat_shape = tuple(input_shape[d] for d in keep)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=stat_shape, initializer="zeros",
                                              trainable=False)
            self.adapt_variance = self.add_weight(name="variance", shape=stat_shape,
                                                  initializer="ones", trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int64",
                                         initializer="zeros", trainable=False)
        else:
            self.mean = self._given(self.input_mean, ndim)
            self.variance = self._given(self.input_variance, ndim)
        self.built = True

    def _given(self, value, ndim):
        value = np.asarray(value, self.dtype)
        if value.ndim:
            expanded = [1] * ndim
            for i in range(1, value.ndim + 1):
                expanded[self._keep_axis[-i]] = value.shape[-i]
            value = value.reshape(expanded)
        return np.ascontiguousarray(np.broadcast_to(value, self._broadcast_shape))

    def adapt(self, data):
        """Compute the mean and variance of `data` (an array, a PyDataset or an iterable of
        batches), per index of the kept axes.

        Args:
            data: the data; batches are combined exactly (pooled mean and variance).
        """
        total_mean = total_var = None
        total = 0
        for batch in adapt_batches(data, self.name):
            batch = batch.astype(np.float64)
            if not self.built:
                self._maybe_build(batch.shape)
            for d in self._keep_axis:
                if batch.shape[d] != self._build_input_shape[d]:
                    raise ValueError(f"The layer was built with input_shape="
                                     f"{self._build_input_shape}, but adapt() is being called "
                                     f"with data with an incompatible shape, "
                                     f"data.shape={batch.shape}")
            if self.input_mean is not None:
                return
            n = int(np.prod([batch.shape[d] for d in self._reduce_axis]))
            m = batch.mean(axis=self._reduce_axis)
            v = batch.var(axis=self._reduce_axis)
            if total_mean is None:
                total_mean, total_var, total = m, v, n
                continue
            w = n / (total + n)
            new_mean = total_mean * (1 - w) + m * w
            total_var = ((total_var + (total_mean - new_mean) ** 2) * (1 - w)
                         + (v + (m - new_mean) ** 2) * w)
            total_mean, total = new_mean, total + n
        self.adapt_mean.assign(total_mean.astype(self.dtype))
        self.adapt_variance.assign(total_var.astype(self.dtype))

    def _stats(self):
        if self.input_mean is not None:
            return self.mean, self.variance
        return (np.reshape(self.adapt_mean.numpy(), self._broadcast_shape),
                np.reshape(self.adapt_variance.numpy(), self._broadcast_shape))

    def call(self, inputs):
        mean, variance = self._stats()
        x = ops.cast(inputs, self.dtype)
        scale = np.maximum(np.sqrt(variance), config.epsilon()).astype(self.dtype)
        if self.invert:
            return ops.add(ops.multiply(x, scale), mean)
        return ops.divide(ops.subtract(x, mean), scale)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"axis": self.axis, "invert": self.invert,
                    "mean": np.array(self.input_mean).tolist(),
                    "variance": np.array(self.input_variance).tolist()})
        return cfg
