"""The CPU's parallel memory-bound kernels give the same bits as their serial twins, with
1 and 2 Numba threads, and a CNN's training step gives the same bits whatever the
kernel thread count (each output element is written by one thread; nothing is summed
across threads)."""

import numba
import numpy as np
import pytest

from nbkeras.backend.cpu import _parallel, activations, conv, fused_backward, pooling

TWO = numba.config.NUMBA_NUM_THREADS >= 2
needs_two = pytest.mark.skipif(not TWO, reason="Numba's pool has one thread")

# (N, D, H, W, C), kernel (kd, kh, kw), strides, dilations, padding before, output size
CONV_CASES = [
    ((7, 1, 13, 11, 5), (1, 3, 3), (1, 1, 1), (1, 1, 1), (0, 0, 0)),
    ((5, 1, 12, 12, 3), (1, 3, 3), (1, 2, 2), (1, 1, 1), (0, 1, 1)),
    ((4, 4, 6, 7, 2), (2, 3, 2), (1, 1, 2), (1, 2, 1), (1, 2, 0)),
    ((6, 1, 1, 29, 4), (1, 1, 5), (1, 1, 1), (1, 1, 3), (0, 0, 6)),
]


def _geometry(shape, k, s, dil, pad):
    out = [(size + 2 * p - d * (kk - 1) - 1) // st + 1
           for size, kk, st, d, p in zip(shape[1:4], k, s, dil, pad)]
    return (*k, *s, *dil, *pad, *out)


def _threads_agree(serial, parallel, make_args):
    """Run `serial` once and `parallel` on 1 and 2 threads on fresh outputs; all equal."""
    results = []
    old = numba.get_num_threads()
    try:
        for fn, threads in ((serial, None), (parallel, 1), (parallel, 2)):
            if threads is not None:
                numba.set_num_threads(threads)
            args, outs = make_args()
            fn(*args)
            results.append([o.copy() for o in outs])
    finally:
        numba.set_num_threads(old)
    for other in results[1:]:
        for a, b in zip(results[0], other):
            assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
    return results[0]


@needs_two
@pytest.mark.parametrize("case", CONV_CASES)
def test_im2col_col2im_bits(case):
    shape, k, s, dil, pad = case
    geometry = _geometry(shape, k, s, dil, pad)
    od, oh, ow = geometry[-3:]
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    rows, width = shape[0] * od * oh * ow, k[0] * k[1] * k[2] * shape[4]

    def im2col_args():
        cols = np.full((rows, width), np.nan, np.float32)
        return (x, cols, *geometry), (cols,)

    (cols,) = _threads_agree(conv._im2col_serial, conv._im2col_parallel, im2col_args)
    assert np.isfinite(cols).all()  # every entry written, padding as zeros
    g = rng.standard_normal((rows, width)).astype(np.float32)

    def col2im_args():
        dx = np.full(shape, np.nan, np.float32)
        return (g, dx, *geometry), (dx,)

    (dx,) = _threads_agree(conv._col2im_serial, conv._col2im_parallel, col2im_args)
    # the adjoint identity <im2col(x), g> == <x, col2im(g)> checks the scatter's values
    np.testing.assert_allclose(np.vdot(cols.astype(np.float64), g),
                               np.vdot(x.astype(np.float64), dx), rtol=1e-5)


@needs_two
@pytest.mark.parametrize("pad", [(0, 0, 0), (0, 1, 1)])
def test_pooling_bits(pad):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((9, 1, 11, 10, 6)).astype(np.float32)
    x[2, 0, 3, 4, 1] = np.nan  # NaN windows: the winner rule holds in both twins
    x[4, 0, 5:7, 5:7, 2] = 1.5  # ties
    k, s = (1, 3, 3), (1, 2, 2)
    out = [(size + 2 * p - kk) // st + 1 for size, kk, st, p in zip(x.shape[1:4], k, s, pad)]
    yshape = (x.shape[0], *out, x.shape[4])
    geometry = (*k, *s, *pad)

    def max_fwd():
        y, arg = np.empty(yshape, np.float32), np.full(yshape, -1, np.int64)
        return (x, y, arg, *geometry), (y, arg)

    y, arg = _threads_agree(pooling._max_pool_forward_serial,
                            pooling._max_pool_forward_parallel, max_fwd)
    assert (arg >= 0).all() and np.isnan(y).any()
    g = rng.standard_normal(yshape).astype(np.float32)

    def max_bwd():
        dx = np.full(x.shape, np.nan, np.float32)
        return (g, arg, dx), (dx,)

    _threads_agree(pooling._max_pool_backward_serial, pooling._max_pool_backward_parallel,
                   max_bwd)

    def avg_fwd():
        y = np.full(yshape, np.nan, np.float32)
        return (np.nan_to_num(x), y, *geometry), (y,)

    _threads_agree(pooling._avg_pool_forward_serial, pooling._avg_pool_forward_parallel,
                   avg_fwd)

    def avg_bwd():
        dx = np.full(x.shape, np.nan, np.float32)
        return (g, dx, *geometry), (dx,)

    _threads_agree(pooling._avg_pool_backward_serial, pooling._avg_pool_backward_parallel,
                   avg_bwd)


@needs_two
@pytest.mark.parametrize("code", [0, 1] + sorted(set(activations.CODES.values()) - {0, 1})[:6])
def test_activation_bits(code):
    rng = np.random.default_rng(code)
    n = 3 * activations.BLOCK + 17  # several blocks and a short last one
    x = rng.standard_normal(n).astype(np.float32)
    g = rng.standard_normal(n).astype(np.float32)
    z2 = rng.standard_normal((n // 37, 37)).astype(np.float32)
    b = rng.standard_normal(37).astype(np.float32)
    alpha = 0.2
    if code <= 1:
        fwd = (activations._relu_forward, activations._relu_forward_par, (code,))
        bwd = (activations._relu_backward, activations._relu_backward_par, (code,))
        bias = (activations._bias_relu_forward, activations._bias_relu_forward_par, (code,))
    else:
        fwd = (activations._act_forward, activations._act_forward_par, (code, alpha))
        bwd = (activations._act_backward, activations._act_backward_par, (code, alpha))
        bias = (activations._bias_act_forward, activations._bias_act_forward_par,
                (code, alpha))

    def fwd_args():
        out = np.full(n, np.nan, np.float32)
        return (x, out, *fwd[2]), (out,)

    (y,) = _threads_agree(fwd[0], fwd[1], fwd_args)

    def bwd_args():
        out = np.full(n, np.nan, np.float32)
        rest = (g, y, out) if code <= 1 else (g, x, y, out)
        return (*rest, *bwd[2]), (out,)

    _threads_agree(bwd[0], bwd[1], bwd_args)

    def bias_args():
        z = z2.copy()
        y2 = np.full(z.shape, np.nan, np.float32)
        return (z, b, y2, *bias[2]), (z, y2)

    _threads_agree(bias[0], bias[1], bias_args)


@needs_two
@pytest.mark.parametrize("code", [0, 1, activations.CODES["gelu"]])
@pytest.mark.parametrize("write", [False, True])
def test_fused_backward_bits(code, write):
    """The fused bias (and thin weight) gradients: the same bits serially and on 1 and 2
    threads, and the values of act_backward, col_sum and a float64 a.T @ dz."""
    rng = np.random.default_rng(code)
    rows, m, k = 3 * (activations.BLOCK // 32) + 7, 32, 9  # several blocks, a short last one
    z = rng.standard_normal((rows, m)).astype(np.float32)
    y = np.empty_like(z)
    activations.act_forward(z.reshape(-1), y.reshape(-1), code, 0.0)
    g = rng.standard_normal((rows, m)).astype(np.float32)
    a = rng.standard_normal((rows, k)).astype(np.float32)
    rb = fused_backward._rows(g)
    blocks = -(-rows // rb)

    def bias_args():
        dz, gb = np.full_like(g, np.nan), np.full(m, np.nan, np.float32)
        return (g, z, y, dz, gb, np.empty((blocks, m)), code, 0.0, rb), (dz, gb)

    dz, gb = _threads_agree(fused_backward._bias_serial, fused_backward._bias_parallel, bias_args)

    def weight_args():
        dz2 = np.full_like(g, np.nan) if write else np.empty((0, m), np.float32)
        gw, gb2 = np.full((k, m), np.nan, np.float32), np.full(m, np.nan, np.float32)
        return ((g, z, y, a, dz2, gw, gb2, np.empty((blocks, k, m), np.float32),
                 np.empty((blocks, m)), code, 0.0, rb), (dz2, gw, gb2))

    dz2, gw, gb2 = _threads_agree(fused_backward._weight_serial, fused_backward._weight_parallel,
                                  weight_args)
    want = np.empty_like(g)
    activations.act_backward(g.reshape(-1), z.reshape(-1), y.reshape(-1), want.reshape(-1), code,
                             0.0)
    assert dz.tobytes() == want.tobytes() and (not write or dz2.tobytes() == want.tobytes())
    assert gb.tobytes() == gb2.tobytes()
    np.testing.assert_allclose(gb, want.astype(np.float64).sum(0), rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(gw, a.astype(np.float64).T @ want, rtol=1e-5, atol=1e-4)


def test_run_picks_serial_for_small_work_and_one_thread(monkeypatch):
    calls = []
    serial, parallel = (lambda: calls.append("s")), (lambda: calls.append("p"))
    _parallel.run(serial, parallel, _parallel.PARALLEL_MIN_WORK - 1, 8)
    _parallel.run(serial, parallel, _parallel.PARALLEL_MIN_WORK, 1)
    _parallel.set_kernel_threads(1)
    try:
        _parallel.run(serial, parallel, _parallel.PARALLEL_MIN_WORK, 8)
    finally:
        _parallel.set_kernel_threads(None)
    assert calls == ["s", "s", "s"]
    if TWO:
        _parallel.run(serial, parallel, _parallel.PARALLEL_MIN_WORK, 8)
        assert calls[-1] == "p"
    with pytest.raises(ValueError, match="Received: n=0"):
        _parallel.set_kernel_threads(0)


@needs_two
def test_cnn_training_bits_whatever_the_kernel_threads(monkeypatch):
    """A small CNN's fit: the same weights with every kernel serial, with the kernels pinned
    to one thread (`NBKERAS_KERNEL_THREADS=1`) and with every kernel's parallel twin on
    two threads (the work threshold lowered to 0)."""
    import nbkeras as keras

    rng = np.random.default_rng(3)
    x = rng.standard_normal((24, 12, 12, 2)).astype(np.float32)
    y = rng.integers(0, 3, 24)

    def train(min_work, threads):
        monkeypatch.setattr(_parallel, "PARALLEL_MIN_WORK", min_work)
        monkeypatch.setenv("NBKERAS_BLAS_THREADS", "1")  # GEMM lanes fixed: only kernels vary
        monkeypatch.setitem(_parallel._state, "pinned", threads)
        keras.utils.set_random_seed(7)
        model = keras.Sequential([
            keras.Input((12, 12, 2)),
            keras.layers.Conv2D(6, 3, activation="relu", padding="same"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(4, 3, activation="elu"),
            keras.layers.AveragePooling2D(2),
            keras.layers.Flatten(), keras.layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, batch_size=8, epochs=2, verbose=0)
        return [w.tobytes() for w in model.get_weights()]

    serial = train(1 << 60, 0)
    assert train(0, 1) == serial
    assert train(0, 2) == serial


def test_governor_hands_its_count_to_the_kernels(monkeypatch):
    """threads_for_load gives the parallel kernels the count it gives BLAS, and lets go
    at exit."""
    from nbkeras.backend.cpu import gemm, threads

    if gemm.blocks_per_gemm() < 2:
        pytest.skip("needs 2+ usable cores")
    monkeypatch.delenv("NBKERAS_BLAS_THREADS", raising=False)
    monkeypatch.setattr(threads, "_usable_cores", lambda: 2)
    load = {"n": 1}
    monkeypatch.setattr(threads, "measure_others_running", lambda samples=5: load["n"])
    with threads.threads_for_load(interval=0, window=1) as resize:
        assert resize() == 1 and _parallel._state["want"] == 1
        load["n"] = 0
        assert resize() == 2 and _parallel._state["want"] == 2
    assert _parallel._state["want"] is None
