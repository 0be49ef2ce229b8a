"""Weight initializers with Keras 3's names, defaults and statistics.

Example:
    >>> init = nbkeras.initializers.GlorotUniform(seed=1)
    >>> init((2, 3)).shape
    (2, 3)
"""

import math

import numpy as np

from nbkeras import config
from nbkeras.utils.registry import deserialize, lookup, serialize, to_snake_case


class Initializer:
    """Base class: `initializer(shape, dtype)` returns a NumPy array."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class _Seeded(Initializer):
    def __init__(self, seed=None):
        self.seed = seed

    def _rng(self):
        # A seeded initializer gives the same values on every call, as in Keras.
        if self.seed is not None:
            return np.random.default_rng(self.seed)
        return np.random.default_rng(np.random.randint(0, 2**31 - 1))

    def get_config(self):
        return {"seed": self.seed}


def _dtype(dtype):
    return np.dtype(dtype or config.floatx())


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None):
        return np.zeros(shape, dtype=_dtype(dtype))


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None):
        return np.ones(shape, dtype=_dtype(dtype))


class Constant(Initializer):
    """Every entry set to `value`.

    Args:
        value: the constant.
    """

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return np.full(shape, self.value, dtype=_dtype(dtype))

    def get_config(self):
        return {"value": self.value}


class RandomUniform(_Seeded):
    """Uniform in [minval, maxval).

    Args:
        minval: lower bound.
        maxval: upper bound.
        seed: an int for reproducible values.
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        return self._rng().uniform(self.minval, self.maxval, shape).astype(_dtype(dtype))

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class RandomNormal(_Seeded):
    """Normal with the given mean and standard deviation.

    Args:
        mean: the mean.
        stddev: the standard deviation.
        seed: an int for reproducible values.
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return self._rng().normal(self.mean, self.stddev, shape).astype(_dtype(dtype))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


def _truncated(rng, shape, stddev):
    # Normal draws outside two standard deviations are drawn again.
    out = rng.normal(0.0, 1.0, shape)
    bad = np.abs(out) > 2.0
    while bad.any():
        out[bad] = rng.normal(0.0, 1.0, int(bad.sum()))
        bad = np.abs(out) > 2.0
    return out * stddev


class TruncatedNormal(RandomNormal):
    """Normal, redrawn beyond two standard deviations.

    Args:
        mean: the mean.
        stddev: the standard deviation before truncation.
        seed: an int for reproducible values.
    """

    def __call__(self, shape, dtype=None):
        return (self.mean + _truncated(self._rng(), shape, self.stddev)).astype(_dtype(dtype))


def compute_fans(shape):
    """Return (fan_in, fan_out) as Keras computes them."""
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = int(np.prod(shape[:-2]))
    return shape[-2] * receptive, shape[-1] * receptive


class VarianceScaling(_Seeded):
    """Draws with variance `scale / n`, n the fan_in, fan_out or their mean.

    Args:
        scale: the scaling factor.
        mode: `'fan_in'`, `'fan_out'` or `'fan_avg'`.
        distribution: `'truncated_normal'`, `'untruncated_normal'` or `'uniform'`.
        seed: an int for reproducible values.
    """

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTS = ("truncated_normal", "untruncated_normal", "normal", "uniform")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive. Received: scale={scale}")
        lookup(mode, dict.fromkeys(self._MODES), "mode", "mode")
        lookup(distribution, dict.fromkeys(self._DISTS), "distribution", "distribution")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, n)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            out = _truncated(rng, shape, math.sqrt(scale) / 0.87962566103423978)
        elif self.distribution in ("untruncated_normal", "normal"):
            out = rng.normal(0.0, math.sqrt(scale), shape)
        else:
            limit = math.sqrt(3.0 * scale)
            out = rng.uniform(-limit, limit, shape)
        return out.astype(_dtype(dtype))

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


def _preset(name, scale, mode, distribution):
    def __init__(self, seed=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    def get_config(self):
        return {"seed": self.seed}

    doc = f"VarianceScaling(scale={scale}, mode='{mode}', distribution='{distribution}').\n\n    Args:\n        seed: an int for reproducible values.\n    "
    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config, "__doc__": doc})


GlorotUniform = _preset("GlorotUniform", 1.0, "fan_avg", "uniform")
GlorotNormal = _preset("GlorotNormal", 1.0, "fan_avg", "truncated_normal")
HeUniform = _preset("HeUniform", 2.0, "fan_in", "uniform")
HeNormal = _preset("HeNormal", 2.0, "fan_in", "truncated_normal")
LecunUniform = _preset("LecunUniform", 1.0, "fan_in", "uniform")
LecunNormal = _preset("LecunNormal", 1.0, "fan_in", "truncated_normal")


class Orthogonal(_Seeded):
    """A (scaled) random orthogonal matrix, flattened to the trailing dimension.

    Args:
        gain: multiplicative factor.
        seed: an int for reproducible values.
    """

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) < 2:
            raise ValueError(f"Orthogonal needs a shape of rank >= 2. Received: shape={shape}")
        rows = int(np.prod(shape[:-1]))
        cols = shape[-1]
        a = self._rng().normal(0.0, 1.0, (max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q[:rows, :cols]).reshape(shape).astype(_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """The identity matrix times `gain` (2-D shapes only).

    Args:
        gain: multiplicative factor.
    """

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(f"Identity needs a 2-D shape. Received: shape={shape}")
        return (self.gain * np.eye(*shape)).astype(_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain}


OrthogonalInitializer = Orthogonal
IdentityInitializer = Identity
_CLASSES = [Zeros, Ones, Constant, RandomUniform, RandomNormal, TruncatedNormal, VarianceScaling,
            GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal,
            Orthogonal, Identity]
ALL_OBJECTS = {c.__name__: c for c in _CLASSES}
ALL_OBJECTS.update({to_snake_case(c.__name__): c for c in _CLASSES})
ALL_OBJECTS.update({"zero": Zeros, "one": Ones, "uniform": RandomUniform, "normal": RandomNormal,
                    "OrthogonalInitializer": Orthogonal, "IdentityInitializer": Identity})

# Function-style aliases, as in `keras.initializers.glorot_uniform`.
zeros, ones, constant = Zeros, Ones, Constant
random_uniform, random_normal, truncated_normal = RandomUniform, RandomNormal, TruncatedNormal
variance_scaling, orthogonal, identity = VarianceScaling, Orthogonal, Identity
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
he_uniform, he_normal, lecun_uniform, lecun_normal = HeUniform, HeNormal, LecunUniform, LecunNormal


def get(identifier):
    """Return an initializer from a name, a config dict, an instance or a callable.

    Args:
        identifier: e.g. `'glorot_uniform'` or `GlorotUniform(seed=1)`.

    Example:
        >>> nbkeras.initializers.get("zeros")((2,))
        array([0., 0.], dtype=float32)
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier, ALL_OBJECTS, "initializer")
    if isinstance(identifier, str):
        return lookup(identifier, ALL_OBJECTS, "initializer")()
    if callable(identifier):
        return identifier() if isinstance(identifier, type) else identifier
    raise ValueError(
        "Could not interpret initializer identifier. Expected a string, a dict or a callable. "
        f"Received: identifier={identifier!r}"
    )


__all__ = list(ALL_OBJECTS) + ["get", "serialize", "deserialize", "Initializer", "compute_fans"]
