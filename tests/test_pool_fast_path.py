"""The 2x2 max-pool kernel (no padding) gives the general window loop's bits exactly, and
windows that pass the input's edge ("same" padding after it) keep the general loop."""

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


@pytest.mark.parametrize("h,w", [(3, 3), (5, 4), (4, 7)])
def test_same_padding_past_the_edge_takes_the_general_loop(h, w):
    # MaxPooling2D(2, padding="same") on an odd size pads after the input only (pt = pl = 0):
    # the last windows hold one or two taps, which the 2x2 kernel would read past the edge.
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 1, h, w, 3)).astype(np.float32)
    out = (2, 1, -(-h // 2), -(-w // 2), 3)
    y, arg = np.empty(out, np.float32), np.empty(out, np.int64)
    P.max_pool_forward(x, y, arg, 1, 2, 2, 1, 2, 2, 0, 0, 0)
    for s in range(2):
        for i in range(out[2]):
            for j in range(out[3]):
                win = x[s, 0, 2 * i:2 * i + 2, 2 * j:2 * j + 2].reshape(-1, 3)
                assert np.array_equal(y[s, 0, i, j], win.max(axis=0))
