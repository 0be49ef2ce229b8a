"""The whole-sequence recurrent kernels (backend/cpu/rnn_sequence.py) against the per-step
path of ops/rnn.py: bit-identical outputs and gradients, whatever the lanes."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import ops
from nbkeras.backend.cpu import blas, gemm, rnn_sequence


@pytest.fixture
def fused_switch():
    old = rnn_sequence._state["enabled"]

    def set_fused(on):
        rnn_sequence._state["enabled"] = on

    yield set_fused
    rnn_sequence._state["enabled"] = old


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_blas_gemm_is_numpys_matmul_bit_for_bit(dtype):
    fn = blas.gemm_address(dtype)
    if not fn:
        pytest.skip("NumPy's BLAS is not an ILP64 OpenBLAS")
    rng = np.random.default_rng(0)
    a = rng.standard_normal((64, 48)).astype(dtype)
    b = rng.standard_normal((48, 256)).astype(dtype)
    with gemm.single_threaded_blas():
        want = np.matmul(a, b)
        got = np.empty_like(want)
        blas.gemm(fn, a, b, got)
        part = np.empty((28, 256), dtype)
        blas.gemm(fn, a[36:], b, part)  # a row block of a C-contiguous array
    assert np.array_equal(got, want)
    assert np.array_equal(part, want[36:])


def test_gemm_address_is_zero_for_other_dtypes():
    assert blas.gemm_address(np.int32) == 0
    assert blas.gemm_address(np.float16) == 0


def test_row_blocks_fall_on_the_alignment():
    for n in (1, 11, 12, 23, 24, 64, 100, 1000):
        blocks = rnn_sequence._row_blocks(n)
        assert blocks[0][0] == 0 and blocks[-1][1] == n
        assert all(lo % rnn_sequence.ROW_ALIGN == 0 for lo, _ in blocks)
        assert all(hi - lo >= min(n, rnn_sequence.ROW_ALIGN) for lo, hi in blocks)
        assert len(blocks) <= gemm.blocks_per_gemm()


LAYERS = {
    "lstm": lambda: keras.layers.LSTM(6),
    "lstm-sequences-state": lambda: keras.layers.LSTM(6, return_sequences=True,
                                                      return_state=True),
    "lstm-relu-hard_sigmoid": lambda: keras.layers.LSTM(5, activation="relu",
                                                        recurrent_activation="hard_sigmoid"),
    "gru": lambda: keras.layers.GRU(5, return_sequences=True),
    "gru-backwards": lambda: keras.layers.GRU(5, go_backwards=True),
    "simple": lambda: keras.layers.SimpleRNN(4),
    "simple-sequences": lambda: keras.layers.SimpleRNN(4, return_sequences=True),
}


def _outputs_and_grads(make, x, mask):
    keras.utils.set_random_seed(0)
    layer = make()
    xt = ops.convert_to_tensor(x)
    layer(xt[:1])
    rng = np.random.default_rng(7)  # nonzero biases too
    layer.set_weights([0.4 * rng.standard_normal(w.shape).astype(w.dtype)
                       for w in layer.get_weights()])
    with keras.GradientTape() as tape:
        out = layer(xt, mask=mask)
        outs = out if isinstance(out, list) else [out]
        loss = sum(ops.sum(o * o) for o in outs)
    grads = tape.gradient(loss, layer.trainable_variables)  # (stacked layers: dx, below)
    return [np.asarray(o) for o in outs] + [np.asarray(g) for g in grads]


@pytest.mark.parametrize("name", sorted(LAYERS))
@pytest.mark.parametrize("n", [1, 5, 40])  # one row, one row block, two row blocks
@pytest.mark.parametrize("masked", [False, True])
def test_sequence_kernels_match_the_per_step_path(fused_switch, name, n, masked):
    rng = np.random.default_rng(n)
    x = rng.standard_normal((n, 7, 3)).astype("float32")  # 7 steps: odd, for LSTM's dc
    mask = rng.random((n, 7)) > 0.3 if masked else None
    calls = []
    real = rnn_sequence._run

    def counting(kind, kernels, *args):
        ran = real(kind, kernels, *args)
        calls.extend([kernels[kind]] if ran else [])
        return ran

    rnn_sequence._run = counting
    try:
        fused_switch(True)
        fused = _outputs_and_grads(LAYERS[name], x, mask)
    finally:
        rnn_sequence._run = real
    if not blas.gemm_address(np.float32):
        pytest.skip("NumPy's BLAS is not an ILP64 OpenBLAS: the op runs every step")
    # the forward and the backward ran as sequence kernels; one row: the op's steps
    assert len(calls) >= 2 if n > 1 else not calls
    fused_switch(False)
    steps = _outputs_and_grads(LAYERS[name], x, mask)
    assert len(fused) == len(steps)
    for a, b in zip(fused, steps):
        assert np.array_equal(a, b)


def test_training_is_bit_identical_with_one_or_two_lanes(fused_switch, monkeypatch):
    def train(lanes):
        monkeypatch.setenv("NBKERAS_BLAS_THREADS", str(lanes))  # pins fit's lanes
        keras.utils.set_random_seed(1)
        model = keras.Sequential([keras.Input((6, 3)), keras.layers.LSTM(8, return_sequences=True),
                                  keras.layers.GRU(4, return_sequences=True),
                                  keras.layers.SimpleRNN(3), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        rng = np.random.default_rng(0)
        x = rng.standard_normal((48, 6, 3)).astype("float32")  # two row blocks of 24
        y = rng.standard_normal((48, 1)).astype("float32")
        seen = []
        probe = keras.callbacks.LambdaCallback(
            on_train_batch_end=lambda b, logs: seen.append(gemm.lanes()))
        hist = model.fit(x, y, batch_size=48, epochs=3, verbose=0, callbacks=[probe])
        assert set(seen) == {min(lanes, gemm.blocks_per_gemm())}
        return hist.history["loss"], model.get_weights()

    loss1, w1 = train(1)
    loss2, w2 = train(2)
    fused_switch(False)
    loss_steps, w_steps = train(2)
    assert loss1 == loss2 == loss_steps
    for a, b, c in zip(w1, w2, w_steps):
        assert np.array_equal(a, b) and np.array_equal(a, c)


def test_one_lane_runs_one_block_where_the_blocks_reproduce_the_whole_product(monkeypatch):
    if not blas.gemm_address(np.float32) or gemm.blocks_per_gemm() < 2:
        pytest.skip("no ILP64 OpenBLAS, or one core: one block anyway")
    seen = []
    monkeypatch.setattr(gemm, "run_blocks", lambda tasks: seen.append([t[-2:] for t in tasks]))
    h = np.zeros((3, 48, 4), np.float32)
    args = ("simple", np.zeros((2, 48, 4), np.float32), np.empty(0, np.float32),
            np.eye(4, dtype=np.float32),
            np.empty(0, np.float32), h, np.empty((0, 0, 0), np.float32),
            np.ones((2, 48), np.float32), 3, 2, np.empty((0, 0, 0), np.float32),
            np.empty((48, 4), np.float32))
    old = gemm.set_lanes(2)
    try:
        rnn_sequence.rnn_sequence_forward(*args)
        gemm.set_lanes(1)
        rnn_sequence.rnn_sequence_forward(*args)
    finally:
        gemm.set_lanes(old)
    one = [(0, 48)] if rnn_sequence._blocks_reproduce(np.float32, 48, 4, 1) else seen[0]
    assert seen == [[(0, 24), (24, 48)], one]


def test_run_blocks_runs_every_block():
    out = np.zeros((4, 3))
    tasks = [(np.add, out[i:i + 1], 1.0 + i, out[i:i + 1]) for i in range(4)]
    gemm.run_blocks(tasks)
    assert np.array_equal(out[:, 0], [1.0, 2.0, 3.0, 4.0])
