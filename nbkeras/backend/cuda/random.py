"""Seeded dropout on the GPU, from a counter-based generator.

A uniform number is a hash of (seed, position in the stream), so a mask depends only on
the seed and on how many numbers were drawn before it, never on the grid. `seed(value)`
(called by `utils.set_random_seed`) restarts the stream; `dropout_forward` with a
non-negative `seed_value` draws from a stream restarted at that seed and leaves the
generator there, as the CPU kernel reseeds Numba's generator.
"""

import numpy as np
from numba import cuda

from nbkeras.backend.cuda._launch import device, kernel, launch

_MASK = np.uint64(0xFFFFFFFF)
_M1 = np.uint64(0x7FEB352D)
_M2 = np.uint64(0x846CA68B)
_GOLDEN = np.uint64(0x9E3779B9)
_S15, _S16, _S32, _S8 = np.uint64(15), np.uint64(16), np.uint64(32), np.uint64(8)

# The host-side stream position: [seed, numbers drawn since it was set].
_STATE = [0, 0]


@device
def _mix32(x):
    """A 32-bit integer hash (lowbias32) computed in uint64 registers."""
    x ^= x >> _S16
    x = (x * _M1) & _MASK
    x ^= x >> _S15
    x = (x * _M2) & _MASK
    x ^= x >> _S16
    return x


@device
def uniform(seed, counter):
    """The uniform float in [0, 1) at position `counter` of the stream `seed` (both uint64)."""
    key = _mix32((seed ^ ((counter >> _S32) * _GOLDEN)) & _MASK)
    x = _mix32(((counter & _MASK) ^ key) & _MASK)
    x = _mix32(x ^ _GOLDEN)
    return float(x >> _S8) * (1.0 / 16777216.0)


@kernel
def _dropout_forward(x, mask, out, rate, seed_value, offset, scale):
    i = cuda.grid(1)
    k = mask.size
    if i < k:
        u = uniform(seed_value, offset + np.uint64(i))
        mask[i] = scale if u >= rate else 0.0
    if i < x.size:
        # mask may be shorter than x (a noise_shape broadcast): tile it along x.
        j = i % k
        u = uniform(seed_value, offset + np.uint64(j))
        out[i] = x[i] * (scale if u >= rate else 0.0)


def seed(value):
    """Seeds the generator that `dropout_forward` draws from."""
    _STATE[0], _STATE[1] = int(value) & 0xFFFFFFFF, 0


def dropout_forward(x, mask, out, rate, seed_value):
    """mask = (uniform >= rate) / (1 - rate); out = x * mask.

    The generator is reseeded with `seed_value` unless it is negative.

    `mask` may be shorter than x (a noise_shape broadcast over rows); it is then
    tiled along the flat array.
    """
    if seed_value >= 0:
        seed(seed_value)
    scale = 1.0 / (1.0 - rate)
    launch(_dropout_forward, max(x.size, mask.size), x, mask, out, float(rate),
           np.uint64(_STATE[0]), np.uint64(_STATE[1]), scale)
    _STATE[1] += mask.size
