"""Seeded random initializers: RandomNormal, TruncatedNormal, RandomUniform and Orthogonal.

A seeded initializer returns the same values on every call, as in Keras. An
unseeded one draws a fresh seed from NumPy's global generator on each call, so
`nbkeras.utils.set_random_seed` makes whole models reproducible.

Example:
    >>> init = nbkeras.initializers.RandomNormal(stddev=1.0, seed=1)
    >>> bool((init((2, 2)) == init((2, 2))).all())
    True
"""

import numpy as np

from nbkeras.initializers.initializer import Initializer, standardize_dtype
from nbkeras.utils.rng_utils import new_generator


class RandomInitializer(Initializer):
    """Base class of the random initializers: holds and validates `seed`.

    Args:
        seed: None, or an int for reproducible values.
    """

    def __init__(self, seed=None):
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise ValueError(
                "`seed` argument should be an integer or None. "
                f"Received: seed={seed!r}"
            )
        self.seed = None if seed is None else int(seed)

    def _rng(self):
        return new_generator(self.seed)

    def get_config(self):
        return {"seed": self.seed}


def truncated_normal(rng, shape, mean, stddev):
    """Normal draws, redrawn until they lie within two standard deviations of the mean."""
    out = rng.normal(0.0, 1.0, shape)
    bad = np.abs(out) > 2.0
    while bad.any():
        out[bad] = rng.normal(0.0, 1.0, int(bad.sum()))
        bad = np.abs(out) > 2.0
    return mean + out * stddev


class RandomNormal(RandomInitializer):
    """Normal with the given mean and standard deviation.

    Args:
        mean: the mean.
        stddev: the standard deviation.
        seed: None, or an int for reproducible values.

    Example:
        >>> w = nbkeras.initializers.RandomNormal(stddev=1.0, seed=0)((1000,))
        >>> bool(0.9 < w.std() < 1.1)
        True
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev = mean, stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        return self._rng().normal(self.mean, self.stddev, shape).astype(standardize_dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomInitializer):
    """Normal, with draws beyond two standard deviations from the mean drawn again.

    The standard deviation of the result is about 0.88 * `stddev`.

    Args:
        mean: the mean.
        stddev: the standard deviation before truncation.
        seed: None, or an int for reproducible values.

    Example:
        >>> bool(nbkeras.initializers.TruncatedNormal(stddev=1.0, seed=0)((1000,)).max() <= 2.0)
        True
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev = mean, stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        out = truncated_normal(self._rng(), shape, self.mean, self.stddev)
        return out.astype(standardize_dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Uniform in [minval, maxval).

    Args:
        minval: lower bound.
        maxval: upper bound.
        seed: None, or an int for reproducible values.

    Example:
        >>> nbkeras.initializers.RandomUniform(-1.0, 1.0, seed=0)((3,)).shape
        (3,)
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval = minval, maxval
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        out = self._rng().uniform(self.minval, self.maxval, shape)
        return out.astype(standardize_dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


class Orthogonal(RandomInitializer):
    """A random orthogonal matrix times `gain`, for shapes flattened to
    `(prod(shape[:-1]), shape[-1])`: orthonormal rows or columns, whichever are fewer.

    Args:
        gain: multiplicative factor.
        seed: None, or an int for reproducible values.

    Example:
        >>> q = nbkeras.initializers.Orthogonal(seed=0)((3, 3))
        >>> np.allclose(q @ q.T, np.eye(3), atol=1e-6)
        True
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. "
                f"Received: shape={tuple(shape)} of rank {len(shape)}"
            )
        rows, cols = int(np.prod(shape[:-1])), int(shape[-1])
        a = self._rng().normal(0.0, 1.0, (max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q).reshape(shape).astype(standardize_dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}
