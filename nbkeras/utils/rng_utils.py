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
