"""`dropout_forward` (backend/cpu/random.py) reads Numba's NumPy Mersenne Twister with the
state's index in a register: the masks must be the very draws of `np.random.random()`
inside jitted code, and leave the generator where that loop leaves it (the twist
boundaries of 624 words included)."""

import numba
import numpy as np
import pytest

from nbkeras.backend.cpu import random as R


@numba.njit
def _plain_mask(mask, rate):
    scale = 1.0 / (1.0 - rate)
    for i in range(mask.size):
        mask[i] = scale * (np.random.random() >= rate)


@numba.njit
def _draw():
    return np.random.random()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rate", [0.0, 0.3, 0.5, 0.999999])
def test_masks_are_np_random_draws(dtype, rate):
    for n in (1, 7, 311, 312, 313, 512, 1250):
        x = np.random.default_rng(n).random(n).astype(dtype)
        R.seed(7)
        want = []
        for _ in range(4):
            m = np.empty(n, dtype)
            _plain_mask(m, rate)
            want.append(m)
        after = _draw()
        R.seed(7)
        for w in want:
            m, out = np.empty(n, dtype), np.empty(n, dtype)
            R.dropout_forward(x, m, out, rate, -1)
            assert np.array_equal(m, w)
            assert np.array_equal(out, x * m)
        assert _draw() == after


def test_seeded_mask_restarts_the_stream():
    m1, m2, out = np.empty(100), np.empty(100), np.empty(100)
    x = np.ones(100)
    R.dropout_forward(x, m1, out, 0.5, 3)
    R.dropout_forward(x, m2, out, 0.5, 3)
    R.seed(3)
    want = np.empty(100)
    _plain_mask(want, 0.5)
    assert np.array_equal(m1, m2) and np.array_equal(m1, want)
