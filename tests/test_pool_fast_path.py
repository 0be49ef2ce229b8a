"""The 2x2 max-pool kernel (no padding) gives the general window loop's bits exactly."""

import numpy as np
import pytest

from nbkeras.backend.cpu import pooling as P


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape,strides", [((3, 1, 26, 26, 32), (2, 2)),
                                           ((2, 1, 11, 11, 64), (2, 2)),
                                           ((2, 1, 9, 8, 3), (1, 3))])
def test_max_pool2_matches_general_loop(dtype, shape, strides):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    for v in (np.nan, 0.0, -0.0):  # NaN propagation and ties (first winner) included
        x.ravel()[rng.integers(0, x.size, x.size // 20)] = v
    n, _, h, w, c = shape
    sh, sw = strides
    out = (n, 1, (h - 2) // sh + 1, (w - 2) // sw + 1, c)
    y, arg = np.empty(out, dtype), np.empty(out, np.int64)
    P.max_pool_forward(x, y, arg, 1, 2, 2, 1, sh, sw, 0, 0, 0)
    y0, arg0 = np.empty(out, dtype), np.empty(out, np.int64)
    for s in range(n):
        P._max_pool_forward_sample(x, y0, arg0, s, 1, 2, 2, 1, sh, sw, 0, 0, 0)
    assert np.array_equal(y.view(np.uint8), y0.view(np.uint8))
    assert np.array_equal(arg, arg0)
