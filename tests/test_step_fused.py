"""The fused training step (trainers/step_fused.py) against the tape, bit for bit: every
golden training case that takes it, the tutorial and bench/mlp.py's models; the models it
does not cover stay on the Python replay."""

import sys
from pathlib import Path

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import config, layers
from nbkeras.backend.cpu import step_program
from nbkeras.trainers import step_fused, step_plan

import test_parity_optimizers as optimizers_golden
import test_parity_training as training
from test_step_plan import _fresh, assert_identical

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))


@pytest.fixture
def fused(monkeypatch):
    """Counts the fused steps; the interpreter is compiled (or loaded) before the test."""
    monkeypatch.setenv("NBKERAS_BLAS_THREADS", "1")
    # (one lane: a split GEMM's blocks run one after the other inside the fused step)
    for dtype in (np.float32, np.float64):
        assert step_fused.kernel_ready(np.dtype(dtype), wait=True)
    count = [0]
    run = step_fused.Program.run

    def counted(self, *args):
        out = run(self, *args)
        count[0] += out is not None
        return out

    monkeypatch.setattr(step_fused.Program, "run", counted)
    yield count
    config.set_step_replay(True)
    config.set_step_fused(True)


def _three(fresh, count):
    """`fresh()` fused, on the Python replay, and on the tape: (results, fused steps)."""
    out = []
    for replay, fuse in ((True, True), (True, False), (False, False)):
        config.set_step_replay(replay)
        config.set_step_fused(fuse)
        keras.utils.set_random_seed(1234)
        before = count[0]
        out.append(fresh())
        if not fuse:
            assert count[0] == before, "the switch did not turn the fused step off"
    config.set_step_replay(True)
    config.set_step_fused(True)
    return out, count[0]


FUSED = {}


@pytest.mark.parametrize("case", training.CASES, ids=training.IDS)
def test_training_goldens_fused_bit_identical(case, fused):
    (a, b, c), n = _three(_fresh(training, case["id"], lambda: training.train(case)), fused)
    assert_identical(a, c)
    assert_identical(a, b)
    FUSED["training/" + case["id"]] = n


@pytest.mark.parametrize("case", optimizers_golden.FIT, ids=[c["id"] for c in optimizers_golden.FIT])
def test_optimizer_goldens_fused_bit_identical(case, fused):
    run = lambda: optimizers_golden.train(case)  # noqa: E731
    (a, b, c), n = _three(_fresh(optimizers_golden, case["id"], run), fused)
    assert_identical(a, c)
    assert_identical(a, b)
    FUSED["optimizers/" + case["id"]] = n


def test_golden_cases_do_fuse():
    """The comparisons above are not replay against replay: the tutorial's golden cases
    take the fused step (run after them, in file order)."""
    if not FUSED:
        pytest.skip("run with the golden comparisons above")
    for cid in ("training/tutorial_rmsprop", "training/opt_adam_default"):
        if cid in FUSED:
            assert FUSED[cid], cid


# --------------------------------------------------------------- small models
def _state(model):
    return {"weights": model.get_weights(),
            "slots": [np.asarray(v) for v in model.optimizer.variables]}


def _tutorial(optimizer="rmsprop", loss="binary_crossentropy", last=None, dtype=None):
    import tutorial

    x, y = tutorial.make_data()
    if dtype:
        x = x.astype(dtype)
        keras.config.set_floatx(dtype)
    try:
        model = keras.Sequential([layers.Dense(16, input_dim=20), layers.Activation("relu"),
                                  layers.Dropout(0.5), layers.Dense(1, activation=last)])
        model.compile(optimizer=optimizer, loss=loss)
    finally:
        keras.config.set_floatx("float32")
    return model, x, y


def _fit(make, epochs=6, **kw):
    def go():
        model, x, y = make()
        hist = model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, **kw).history
        return {"history": hist, **_state(model), "path": step_plan.step_path(model)}
    return go


@pytest.mark.parametrize("optimizer, loss, last", [
    ("rmsprop", "binary_crossentropy", None),
    ("adam", "binary_crossentropy", "sigmoid"),
    ("sgd", "mse", "tanh"),
    (keras.optimizers.SGD(0.01, momentum=0.9, nesterov=True), "mse", None),
    (keras.optimizers.RMSprop(momentum=0.5, centered=True), "binary_crossentropy", "gelu"),
])
def test_tutorial_variants_fused_bit_identical(optimizer, loss, last, fused):
    import copy

    make = lambda: _tutorial(copy.deepcopy(optimizer) if not isinstance(optimizer, str)  # noqa: E731
                             else optimizer, loss, last)
    (a, b, c), n = _three(_fit(make), fused)
    assert n > 0
    assert a.pop("path") == "replay (fused)"
    b.pop("path"), c.pop("path")
    assert_identical(a, c)
    assert_identical(a, b)


def test_float64_model_fused_bit_identical(fused):
    (a, b, c), n = _three(_fit(lambda: _tutorial(dtype="float64")), fused)
    assert n > 0
    for r in (a, b, c):
        r.pop("path")
    assert_identical(a, c)


def test_mlp_bench_model_bit_identical(fused):
    """bench/mlp.py's model (its sparse labels and softmax), on a slice of its data."""
    import mlp

    x, y = mlp.make_data(n=320)
    (a, b, c), n = _three(_fit(lambda: _mlp_model(x, y), epochs=2), fused)
    assert n > 0 and a.pop("path") == "replay (fused)"
    for r in (b, c):
        r.pop("path")
    assert_identical(a, c)
    assert_identical(a, b)


def test_an_op_not_covered_stays_on_the_python_replay(fused):
    def make():
        model, x, y = _tutorial()
        model = keras.Sequential([layers.Dense(8, input_dim=20), layers.LayerNormalization(),
                                  layers.Dense(1)])
        model.compile(optimizer="rmsprop", loss="mse")
        return model, x, y

    (a, b, c), n = _three(_fit(make), fused)
    assert n == 0 and a.pop("path") == "replay"
    b.pop("path"), c.pop("path")
    assert_identical(a, c)


def test_set_weights_between_fits_is_seen(fused):
    def go():
        model, x, y = _tutorial()
        model.fit(x, y, epochs=3, batch_size=32, verbose=0)
        model.set_weights([np.full_like(w, 0.1) for w in model.get_weights()])
        model.fit(x, y, epochs=3, batch_size=32, verbose=0)
        return _state(model)

    (a, b, c), n = _three(go, fused)
    assert n > 0
    assert_identical(a, c)


@pytest.mark.parametrize("optimizer, n", [("rmsprop", 96), ("adam", 96), ("sgd", 96),
                                          ("rmsprop", 100)])
def test_epoch_callbacks_changing_the_step_are_seen_by_the_trusted_steps(optimizer, n, fused):
    """Within an epoch without batch callbacks, a fused step trusts the checks its plan
    passed at the previous step (`step_plan._fused_again`); what an epoch's callbacks change
    (the learning rate, a layer frozen and thawed, the weights, the optimizer's clipping)
    is seen at the next step all the same, and the last short batch's plan is checked."""
    class Change(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            model, opt = self.model, self.model.optimizer
            opt.learning_rate = 0.01 / (epoch + 1)
            model.layers[0].trainable = epoch != 2
            opt.clipnorm = 1.0 if epoch == 3 else None
            if epoch == 4:
                model.set_weights([w * 0.5 for w in model.get_weights()])

    def go():
        model, x, y = _tutorial(optimizer)  # (96 samples: every batch has one plan)
        hist = model.fit(x[:n], y[:n], epochs=7, batch_size=32, verbose=0,
                         callbacks=[Change()])
        return {"history": hist.history, **_state(model)}

    (a, b, c), n = _three(go, fused)
    assert n > 0
    assert_identical(a, b)
    assert_identical(a, c)


def test_trusted_steps_span_epochs_when_only_fits_own_callbacks_run(fused, monkeypatch):
    """100 samples in batches of 32: the full batches and the short last one are two plans.
    With only fit's own callbacks (History) and no validation, nothing runs between two
    epochs that could change the model: after a fit's first epoch each plan's steps trust
    the checks it passed once in this fit. A user's epoch callback, or validation, makes each
    epoch's first step check again (the short batch's plan too)."""
    flags = []
    run = step_fused.Program.run

    def recorded(self, leaves, checked=False):
        flags.append(checked)
        return run(self, leaves, checked)

    monkeypatch.setattr(step_fused.Program, "run", recorded)
    model, x, y = _tutorial()
    model.fit(x, y, epochs=4, batch_size=32, verbose=0)
    del flags[:]
    model.fit(x, y, epochs=3, batch_size=32, verbose=0)
    assert flags == [False, True, True, False] + [True] * 8
    del flags[:]
    model.fit(x, y, epochs=3, batch_size=32, verbose=0, validation_data=(x[:8], y[:8]))
    assert flags == [False, True, True, False] * 3
    del flags[:]
    model.fit(x, y, epochs=3, batch_size=32, verbose=0, callbacks=[keras.callbacks.Callback()])
    assert flags == [False, True, True, False] * 3


def test_interrupted_fit_keeps_the_fused_steps_weights(fused):
    class Stop(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if self.model.optimizer.iterations.numpy() == 30:
                raise KeyboardInterrupt

    def go():
        model, x, y = _tutorial()
        try:
            model.fit(x, y, epochs=20, batch_size=32, verbose=0, callbacks=[Stop()])
        except KeyboardInterrupt:
            pass
        return _state(model)

    (a, b, c), _ = _three(go, fused)
    assert_identical(a, c)
    assert int(a["slots"][0]) == 30


def test_switch_turns_the_fused_step_off(fused):
    config.set_step_fused(False)
    model, x, y = _tutorial()
    model.fit(x, y, epochs=4, batch_size=32, verbose=0)
    assert step_plan.step_path(model) == "replay" and fused[0] == 0


def test_pairwise_sum_is_numpys():
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        for n in list(range(1, 300)) + [1000, 4097, 8192, 8193, 20000]:
            a = (rng.standard_normal(n) * 10 ** rng.uniform(-3, 3, n)).astype(dtype)
            zero = dtype(0)
            got = zero + step_program.pairwise_sum(a, 0, n, zero)
            assert got == np.add.reduce(a, None), (dtype, n)


def _mlp_model(x, y):
    model = keras.Sequential([layers.Input((784,)), layers.Dense(256, activation="relu"),
                              layers.Dense(256, activation="relu"),
                              layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model, x, y


def test_split_gemms_fused_on_two_lanes_bit_identical(fused, monkeypatch):
    """bench/mlp.py's model, whose GEMMs are split into blocks, fused with the blocks
    handed to the spinning GEMM worker (two lanes): bit-identical to the Python replay
    (which shares the same blocks) and to the tape."""
    import time

    import mlp
    from nbkeras.backend.cpu import gemm, spin_lane

    if gemm.blocks_per_gemm() < 2 or not gemm.kernel_lanes.available():
        pytest.skip("one core, or no spinning lane: GEMMs are not shared")
    monkeypatch.setenv("NBKERAS_BLAS_THREADS", "2")
    x, y = mlp.make_data(n=320)
    before = spin_lane.served()
    (a, b, c), n = _three(_fit(lambda: _mlp_model(x, y), epochs=2), fused)
    assert n > 0 and a.pop("path") == "replay (fused)"
    for r in (b, c):
        r.pop("path")
    assert_identical(a, c)
    assert_identical(a, b)
    end = time.monotonic() + 5
    while spin_lane.served() == before and time.monotonic() < end:  # (a busy core delays it)
        _fit(lambda: _mlp_model(x, y), epochs=1)()
    assert spin_lane.served() > before
