"""`SpatialDropout1D/2D`, `GaussianNoise`, `GaussianDropout` and `ActivityRegularization`."""

import numpy as np

from nbkeras import ops, regularizers
from nbkeras.layers.layer import Layer
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.regularization.dropout import Dropout, check_rate
from nbkeras.utils.rng_utils import LazyGenerator


class SpatialDropout1D(Dropout):
    """Drop whole channels of a (batch, steps, channels) input in training.

    Example:
        >>> nbkeras.layers.SpatialDropout1D(0.5)(np.ones((2, 3, 4)), training=True)
    """

    _ndim = 3

    def __init__(self, rate, seed=None, name=None, dtype=None, **kwargs):
        super().__init__(rate, seed=seed, name=name, dtype=dtype, **kwargs)
        self.supports_masking = True
        self.input_spec = InputSpec(ndim=self._ndim)

    def _noise_shape(self, shape):
        return (shape[0], 1, shape[2])

    def get_config(self):
        return {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype}


class SpatialDropout2D(SpatialDropout1D):
    """Drop whole channels of a 4-D image batch in training (`data_format` as in Conv2D)."""

    _ndim = 4

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None, **kwargs):
        super().__init__(rate, seed=seed, name=name, dtype=dtype, **kwargs)
        self.data_format = data_format or "channels_last"
        if self.data_format not in ("channels_last", "channels_first"):
            raise ValueError('`data_format` must be "channels_last" or "channels_first". '
                             f"Received: data_format={data_format!r}")

    def _noise_shape(self, shape):
        if self.data_format == "channels_first":
            return (shape[0], shape[1], 1, 1)
        return (shape[0], 1, 1, shape[3])

    def get_config(self):
        cfg = super().get_config()
        cfg["data_format"] = self.data_format
        return cfg


class GaussianNoise(Layer):
    """Add zero-mean Gaussian noise of standard deviation `stddev` in training.

    Example:
        >>> nbkeras.layers.GaussianNoise(0.1, seed=0)(np.zeros((2, 3)), training=True)
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev = check_rate(stddev, "stddev")
        self.seed = seed
        self._rng = LazyGenerator(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if not training or self.stddev == 0:
            return inputs
        noise = self._rng.normal(0.0, self.stddev, inputs.shape).astype(inputs.dtype)
        return ops.add(inputs, noise)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"stddev": self.stddev, "seed": self.seed})
        return cfg


class GaussianDropout(Layer):
    """Multiply by Gaussian noise of mean 1 and standard deviation sqrt(rate / (1 - rate))
    in training.

    Example:
        >>> nbkeras.layers.GaussianDropout(0.2, seed=0)(np.ones((2, 3)), training=True)
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = check_rate(rate)
        self.seed = seed
        self._rng = LazyGenerator(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if not training or not 0 < self.rate < 1:
            return inputs
        std = np.sqrt(self.rate / (1.0 - self.rate))
        noise = self._rng.normal(1.0, std, inputs.shape).astype(inputs.dtype)
        return ops.multiply(inputs, noise)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"rate": self.rate, "seed": self.seed})
        return cfg


class ActivityRegularization(Layer):
    """The identity, adding `l1 * sum(|x|) + l2 * sum(x^2)` (per sample) to the losses.

    Example:
        >>> layer = nbkeras.layers.ActivityRegularization(l2=0.01)
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = float(l1), float(l2)
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        cfg = super().get_config()
        cfg.pop("activity_regularizer", None)
        cfg.update({"l1": self.l1, "l2": self.l2})
        return cfg
