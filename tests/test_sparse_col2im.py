"""The CPU's sparse input gradient (`conv.sparse_col2im`: col2im(d @ wt) from d's
nonzeros, which a convolution followed by ReLU and a max pool gets in its backward pass)
matches the GEMM and col2im it replaces, gives the same bits on 1 and 2 Numba threads,
and declines (writing nothing) where it would not pay or could hide a NaN."""

import numpy as np
import pytest

from nbkeras.backend.cpu import conv
from tests.test_parallel_kernels import CONV_CASES, _geometry, _threads_agree, needs_two


def _case(case, density, seed=0):
    shape, k, s, dil, pad = case
    geometry = _geometry(shape, k, s, dil, pad)
    od, oh, ow = geometry[-3:]
    rng = np.random.default_rng(seed)
    rows, width, o = shape[0] * od * oh * ow, k[0] * k[1] * k[2] * shape[4], 7
    d = rng.standard_normal((rows, o)).astype(np.float32)
    d[rng.random(d.shape) >= density] = 0
    wt = rng.standard_normal((o, width)).astype(np.float32)
    return d, wt, shape, geometry


def _dense(d, wt, shape, geometry):
    dx = np.empty(shape, np.float32)
    conv.col2im(np.ascontiguousarray(d.astype(np.float64) @ wt.astype(np.float64),
                                     np.float32), dx, *geometry)
    return dx


@pytest.mark.parametrize("case", CONV_CASES)
def test_sparse_col2im_matches_the_gemm_and_col2im(case):
    d, wt, shape, geometry = _case(case, 0.2)
    dx = np.full(shape, np.nan, np.float32)
    assert conv.sparse_col2im(d, wt, dx, *geometry)
    np.testing.assert_allclose(dx, _dense(d, wt, shape, geometry), rtol=1e-5, atol=1e-5)


@needs_two
@pytest.mark.parametrize("case", CONV_CASES)
def test_sparse_col2im_bits_on_any_thread_count(case):
    d, wt, shape, geometry = _case(case, 0.2)

    def args():
        dx = np.full(shape, np.nan, np.float32)
        return (d, wt, dx, *geometry), [dx]

    _threads_agree(conv._sparse_col2im_serial, conv._sparse_col2im_parallel, args)


def test_sparse_col2im_declines_dense_gradients_and_non_finite_kernels():
    d, wt, shape, geometry = _case(CONV_CASES[0], 0.9)
    dx = np.full(shape, 7.0, np.float32)
    assert not conv.sparse_col2im(d, wt, dx, *geometry)  # too dense: BLAS is faster
    d, wt, shape, geometry = _case(CONV_CASES[0], 0.2)
    for bad in (np.inf, np.nan):  # 0 * inf is NaN: skipping the zeros would hide it
        w_bad = wt.copy()
        w_bad[3, 5] = bad
        assert not conv.sparse_col2im(d, w_bad, dx, *geometry)
    assert (dx == 7.0).all()  # written nothing


def test_sparse_col2im_propagates_a_nan_of_the_gradient():
    d, wt, shape, geometry = _case(CONV_CASES[0], 0.2)
    d[5, 2] = np.nan
    dx = np.empty(shape, np.float32)
    assert conv.sparse_col2im(d, wt, dx, *geometry)
    ref = _dense(d, wt, shape, geometry)
    assert (np.isnan(dx) == np.isnan(ref)).all() and np.isnan(dx).any()


def test_a_conv_relu_pool_input_gradient_takes_the_sparse_path(monkeypatch):
    """Conv2D(relu) -> MaxPooling2D: the second layer's gradient with respect to its
    input is close to the dense path's (the same op with the sparse path off)."""
    import nbkeras as keras
    from nbkeras import ops

    calls = []
    real = conv.sparse_col2im

    def spy(*a):
        calls.append(real(*a))
        return calls[-1]

    from nbkeras.backend import kernels

    monkeypatch.setattr(kernels, "sparse_col2im", spy, raising=False)  # what the op calls
    rng = np.random.default_rng(0)
    x = rng.random((6, 9, 9, 4), dtype=np.float32)
    layer = keras.layers.Conv2D(8, 3, activation="relu")
    layer.build(x.shape)
    weight = ops.convert_to_tensor(rng.standard_normal((6, 3, 3, 8)).astype(np.float32))
    grads = []
    for density in (conv.SPARSE_MAX_DENSITY, 0.0):
        monkeypatch.setattr(conv, "SPARSE_MAX_DENSITY", density)
        xv = keras.Variable(x)
        with ops.GradientTape() as tape:
            y = ops.max_pool(layer(xv), 2)
            loss = ops.sum(y * weight)
        grads.append(np.asarray(tape.gradient(loss, xv)))
    assert calls[0] is True and calls[-1] is False
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-5, atol=1e-6)
