"""`set_random_seed`: one seed for Python, NumPy and the random numbers drawn inside kernels."""

import random

import numpy as np


def set_random_seed(seed):
    """Seed every random generator nbkeras uses, so two runs give the same weights.

    Seeds Python's `random`, NumPy's global generator (weight initializers, shuffling,
    dropout seeds), Numba's generator inside jitted kernels, and resets the global
    `nbkeras.random.SeedGenerator` that unseeded `nbkeras.random` draws use.

    Args:
        seed: a non-negative int.

    Example:
        >>> nbkeras.utils.set_random_seed(42)
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"Expected `seed` to be a non-negative integer. Received: seed={seed!r}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    from nbkeras.backend import kernels

    kernels.seed(seed % 2**32)
    from nbkeras.random.seed_generator import reset_global_seed_generator

    reset_global_seed_generator()


def new_generator(seed=None):
    """A NumPy Generator for one layer or initializer: seeded by `seed`, or, when None,
    by a draw from NumPy's global generator, so `set_random_seed` makes it repeatable.

    Args:
        seed: None or an int.

    Example:
        >>> rng = new_generator()  # follows nbkeras.utils.set_random_seed
        >>> rng.random(3).shape
        (3,)
    """
    if seed is None:
        seed = np.random.randint(0, 2**31 - 1)
    return np.random.default_rng(seed)


class LazyGenerator:
    """A NumPy Generator that `new_generator(seed)` makes on first use, so that building a
    layer draws nothing from the global stream (weights initialized after it do not move).

    Args:
        seed: None or an int.

    Example:
        >>> rng = LazyGenerator()
        >>> rng.normal(0.0, 1.0, (2,)).shape
        (2,)
    """

    def __init__(self, seed=None):
        self.seed = seed
        self._rng = None

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if self._rng is None:
            self._rng = new_generator(self.seed)
        return getattr(self._rng, name)
