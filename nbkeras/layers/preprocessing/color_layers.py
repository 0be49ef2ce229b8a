"""`RandomContrast` and `RandomBrightness`: random per-image changes of the pixel values."""

import numpy as np

from nbkeras.layers.preprocessing.base import RandomPreprocessingLayer, base_factor


def _value_range(value_range):
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError("The `value_range` argument should be a list of two numbers. "
                         f"Received: value_range={value_range!r}")
    return value_range


class _ColorLayer(RandomPreprocessingLayer):
    def __init__(self, factor, value_range, seed, bounds, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = base_factor(factor, bounds)

    def _per_image(self, rng, x, lo, hi):
        shape = (1, 1, 1) if x.ndim == 3 else (x.shape[0], 1, 1, 1)
        return rng.uniform(lo, hi, shape).astype(x.dtype)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"factor": self.factor, "value_range": self.value_range})
        return cfg


class RandomContrast(_ColorLayer):
    """Randomly changes each image's contrast in training: `(x - mean) * c + mean`, clipped
    to `value_range`, with `c` drawn from [1 - lower, 1 + upper] and `mean` the image's
    per-channel mean. The identity at inference.

    Args:
        factor: a float f in [0, 1] (Keras takes it as the pair (0, f)), or a pair
            (lower, upper).
        value_range: the (min, max) of the pixel values, (0, 255) by default.
        seed: an int for reproducible draws.

    Example:
        >>> layer = nbkeras.layers.RandomContrast(0.2, seed=1)
        >>> layer(np.full((1, 4, 4, 3), 100.0, "float32"), training=True).shape
        (1, 4, 4, 3)
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(factor, value_range, seed, (0, 1), **kwargs)
        self.value_range = value_range

    def augment(self, x, axes, rng):
        c = self._per_image(rng, x, 1.0 - self.factor[0], 1.0 + self.factor[1])
        mean = x.mean(axis=axes, keepdims=True, dtype=np.float32).astype(x.dtype)
        out = (x - mean) * c + mean
        return np.clip(out, self.value_range[0], self.value_range[1]).astype(x.dtype)


class RandomBrightness(_ColorLayer):
    """Randomly brightens or darkens each image in training: adds a value drawn from
    [lower, upper] * (max - min) of `value_range`, then clips to it. The identity at inference.

    Args:
        factor: a float f in [-1, 1] (the pair (-|f|, |f|)), or a pair (lower, upper).
        value_range: the (min, max) of the pixel values, (0, 255) by default.
        seed: an int for reproducible draws.

    Example:
        >>> layer = nbkeras.layers.RandomBrightness(0.2, seed=1)
        >>> layer(np.full((1, 4, 4, 3), 100.0, "float32"), training=True).shape
        (1, 4, 4, 3)
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(factor, value_range, seed, (-1, 1), **kwargs)
        self.value_range = sorted(_value_range(value_range))

    def augment(self, x, axes, rng):
        lo, hi = self.value_range
        delta = self._per_image(rng, x, self.factor[0], self.factor[1]) * x.dtype.type(hi - lo)
        return np.clip(x + delta, lo, hi).astype(x.dtype)
