"""Seeded random kernels: the dropout mask and the seeding of Numba's own RNG."""

import numpy as np

from nbkeras.backend.cpu._jit import jit


@jit(fastmath=False)
def seed(value):
    """Seeds the random generator used inside jitted code."""
    np.random.seed(value)


@jit
def dropout_forward(x, mask, out, rate, seed_value):
    """mask = (uniform >= rate) / (1 - rate); out = x * mask.

    The generator is reseeded with `seed_value` unless it is negative.

    `mask` may be shorter than x (a noise_shape broadcast over rows); it is then
    tiled along the flat array.
    """
    if seed_value >= 0:
        np.random.seed(seed_value)
    if rate < 1.0:
        scale = 1.0 / (1.0 - rate)
        for i in range(mask.size):  # scale * (kept): no branch to mispredict per element
            mask[i] = scale * (np.random.random() >= rate)
    else:  # (scale would be inf, and inf * 0 NaN): every entry dropped, the draws made
        for i in range(mask.size):
            np.random.random()
            mask[i] = 0.0
    k = mask.size
    if k == x.size:  # the usual full mask: no index arithmetic per element
        for i in range(k):
            out[i] = x[i] * mask[i]
    else:
        for i in range(x.size):
            out[i] = x[i] * mask[i % k]
