"""The replayed training step (nbkeras/trainers/step_plan.py): bit-identical to the tape
step over every golden training case, and the tape path wherever the tracer cannot prove
the step static."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import config, layers, ops
from nbkeras.trainers import step_plan, step_static

import test_contract_parity as contract
import test_parity_activations as activations
import test_parity_callbacks as callbacks_golden
import test_parity_optimizers as optimizers_golden
import test_parity_training as training


@pytest.fixture
def replays(monkeypatch):
    """Counts the replayed steps (and keeps the switch as the test found it). The GEMM
    lanes are pinned to one, so both runs of a comparison take the same thread path (the
    numbers do not depend on it: tests/test_threads.py)."""
    monkeypatch.setenv("NBKERAS_BLAS_THREADS", "1")
    count = [0]
    run = step_plan._Plan.run

    def counted(self, *args):
        count[0] += 1
        return run(self, *args)

    monkeypatch.setattr(step_plan._Plan, "run", counted)
    yield count
    config.set_step_replay(True)


def _twice(fresh, replays):
    """`fresh()` with replay allowed, then forced off: (fast result, tape result, replays)."""
    config.set_step_replay(True)
    keras.utils.set_random_seed(1234)
    fast = fresh()
    n = replays[0]
    config.set_step_replay(False)
    keras.utils.set_random_seed(1234)
    replays[0] = 0
    tape = fresh()
    assert replays[0] == 0, "the switch did not force the tape path"
    config.set_step_replay(True)
    return fast, tape, n


def assert_identical(a, b, where="result"):
    """Equal structures with bit-identical arrays and numbers (NaN equals NaN)."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), where
        for k in a:
            assert_identical(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (u, v) in enumerate(zip(a, b)):
            assert_identical(u, v, f"{where}[{i}]")
    elif isinstance(a, (np.ndarray, np.generic, float, int)) or hasattr(a, "__array__"):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=where, strict=True)
    elif hasattr(a, "variables"):  # an optimizer: its slots and iterations
        assert_identical([np.asarray(v) for v in a.variables],
                         [np.asarray(v) for v in b.variables], where + ".variables")
    else:
        assert a == b, where


def _fresh(module, key, run):
    def go():
        module._RESULTS.pop(key, None)
        try:
            return run()
        finally:
            module._RESULTS.pop(key, None)
    return go


REPLAYED = {}  # case -> replayed steps, for the coverage test below


@pytest.mark.parametrize("case", training.CASES, ids=training.IDS)
def test_training_goldens_bit_identical(case, replays):
    fast, tape, n = _twice(_fresh(training, case["id"], lambda: training.train(case)), replays)
    assert_identical(fast, tape)
    REPLAYED["training/" + case["id"]] = n


@pytest.mark.parametrize("case", optimizers_golden.FIT, ids=[c["id"] for c in optimizers_golden.FIT])
def test_optimizer_goldens_bit_identical(case, replays):
    run = lambda: optimizers_golden.train(case)  # noqa: E731
    fast, tape, n = _twice(_fresh(optimizers_golden, case["id"], run), replays)
    assert_identical(fast, tape)
    REPLAYED["optimizers/" + case["id"]] = n


@pytest.mark.parametrize("case", activations.TRAINING, ids=activations._ids(activations.TRAINING))
def test_activation_training_goldens_bit_identical(case, replays):
    run = lambda: activations.train(case)  # noqa: E731
    fast, tape, n = _twice(_fresh(activations, case["id"], run), replays)
    assert_identical(fast, tape)
    REPLAYED["activations/" + case["id"]] = n


@pytest.mark.parametrize("cid", sorted(contract.cm.RUNNERS))
def test_contract_goldens_bit_identical(cid, replays):
    fast, tape, n = _twice(_fresh(contract, cid, lambda: contract.trained(cid)), replays)
    assert_identical(fast, tape)
    REPLAYED["contract/" + cid] = n


@pytest.mark.parametrize("cid", callbacks_golden.IDS)
def test_callback_goldens_bit_identical(cid, replays, tmp_path_factory):
    callbacks_golden.needs_saving(cid)

    def run():
        # The files a case writes are compared by content, not by their folder's name.
        return {k: v for k, v in callbacks_golden.result(cid, tmp_path_factory).items()
                if k not in ("files", "paths", "workdir")}

    fast, tape, n = _twice(_fresh(callbacks_golden, cid, run), replays)
    assert_identical(fast, tape)
    REPLAYED["callbacks/" + cid] = n


def test_golden_cases_do_replay():
    """The comparisons above are not tape against tape: the golden models that the tracer
    can prove static do take the replay path (run after them, in file order)."""
    if not REPLAYED:
        pytest.skip("run with the golden comparisons above")
    replayed = {k for k, n in REPLAYED.items() if n}
    for cid in ("training/tutorial_rmsprop", "training/opt_adam_default",
                "training/sample_weight_binary", "training/validation_split"):
        if cid in REPLAYED:
            assert cid in replayed, cid
    if any(k.startswith("optimizers/") for k in REPLAYED):
        assert any(k.startswith("optimizers/") for k in replayed)
    # Most golden models are Dense stacks: most of them replay.
    assert len(replayed) >= len(REPLAYED) // 2, sorted(set(REPLAYED) - replayed)


# --------------------------------------------------------------- small models
def _data(n=40, d=5, k=1, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)).astype("float32"), rng.normal(size=(n, k)).astype("float32")


def _mlp(dropout=0.0, **compile_kw):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([layers.Input((5,)), layers.Dense(8, activation="relu"),
                              layers.Dropout(dropout), layers.Dense(1)])
    model.compile(**({"optimizer": "adam", "loss": "mse", "metrics": ["mae"]} | compile_kw))
    return model


def _fit_both(make, replays, **fit_kw):
    x, y = fit_kw.pop("data", None) or _data()

    def run():
        model = make()
        hist = model.fit(x, y, **({"epochs": 4, "batch_size": 16, "verbose": 0} | fit_kw))
        return model, {"history": hist.history, "weights": model.get_weights()}

    (fast_model, fast), (tape_model, tape), n = _twice(run, replays)
    assert_identical(fast, tape)
    return fast_model, n


def test_mlp_with_dropout_replays_bit_identical(replays):
    model, n = _fit_both(lambda: _mlp(0.5), replays)
    assert n > 0 and model._step_path.startswith("replay")
    assert step_plan.step_path(model).startswith("replay")


def test_partial_last_batch_gets_its_own_plan(replays):
    model, n = _fit_both(lambda: _mlp(), replays, batch_size=16, epochs=5)  # 16, 16, 8
    assert len(model._step_plans) == 2
    assert all(e.plan is not None for e in model._step_plans.values())
    # The full batches trace twice in epoch 1, the partial one in epochs 1 and 2.
    assert n == (10 - 2) + (5 - 2)


def test_sample_weight_and_regularizers_replay(replays):
    x, y = _data()
    sw = np.linspace(0.5, 1.5, len(x)).astype("float32")

    def make():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([layers.Input((5,)),
                                  layers.Dense(8, activation="tanh", kernel_regularizer="l2",
                                               activity_regularizer="l1"),
                                  layers.Dense(1)])
        model.compile(optimizer="rmsprop", loss="mae", metrics=["mse"])
        return model

    _, n = _fit_both(make, replays, data=(x, y), sample_weight=sw)
    assert n > 0


def test_two_output_functional_replays_with_its_loss_trackers(replays):
    x, y = _data(k=2)

    def make():
        keras.utils.set_random_seed(0)
        inp = keras.Input((5,))
        h = layers.Dense(6, activation="relu")(inp)
        a = layers.Dense(1, name="a")(h)
        b = layers.Dense(1, name="b")(h)
        model = keras.Model(inp, [a, b])
        model.compile(optimizer="sgd", loss=["mse", "mae"], loss_weights=[1.0, 0.5],
                      metrics=[["mae"], ["mse"]])
        return model

    model, n = _fit_both(make, replays, data=(x, [y[:, :1], y[:, 1:]]))
    assert n > 0
    assert {"a_loss", "b_loss"} <= set(model.history.history)


def test_forced_tape_path_says_so(replays):
    config.set_step_replay(False)
    model = _mlp()
    model.fit(*_data(), epochs=3, verbose=0)
    assert model._step_path.startswith("tape: replay turned off")
    assert replays[0] == 0


# ---------------------------------------------------------------- fallbacks
def test_subclassed_model_takes_the_tape_path(replays):
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(1)

        def call(self, x):
            return self.d(x)

    def make():
        keras.utils.set_random_seed(0)
        model = Net()
        model.compile(optimizer="sgd", loss="mse")
        return model

    model, n = _fit_both(make, replays)
    assert n == 0 and model._step_path.startswith("tape: a subclassed model")


def test_custom_train_step_takes_the_tape_path(replays):
    class Stepped(keras.Sequential):
        def train_step(self, data):
            return super().train_step(data)

    def make():
        keras.utils.set_random_seed(0)
        model = Stepped([layers.Input((5,)), layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        return model

    model, n = _fit_both(make, replays)
    assert n == 0 and model._step_path == "tape: Stepped overrides `train_step`"
    assert step_plan.step_path(model) == model._step_path


class _Branchy(layers.Layer):
    """A layer whose Python control flow depends on the data."""

    def build(self, shape):
        self.w = self.add_weight(shape=(shape[-1], 1), initializer="ones")

    def call(self, x):
        y = ops.matmul(x, self.w)
        if float(ops.mean(x)) > 0:
            return ops.multiply(y, 2.0)
        return ops.relu(y)


def test_data_dependent_layer_takes_the_tape_path(replays):
    def make():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([layers.Input((5,)), _Branchy()])
        model.compile(optimizer="sgd", loss="mse")
        return model

    model, n = _fit_both(make, replays)
    assert n == 0 and "not on the replay whitelist" in model._step_path


def test_data_dependent_ops_are_caught_by_the_trace_comparison(replays, monkeypatch):
    """Even a layer let through the whitelist falls back when its ops differ per batch."""
    monkeypatch.setattr(step_static, "_WHITELIST", step_static.whitelist() | {_Branchy})
    x, y = _data(n=32)
    x[:16] += 3.0  # the first batch takes one branch, the second the other
    x[16:] -= 3.0

    def make():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([layers.Input((5,)), _Branchy()])
        model.compile(optimizer="sgd", loss="mse")
        return model

    model, n = _fit_both(make, replays, data=(x, y), shuffle=False)
    assert n == 0 and "differ between batches" in model._step_path


def test_seeded_dropout_takes_the_tape_path(replays):
    """A seeded Dropout draws its seed in Python each step: no plan can bind it."""
    def make():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([layers.Input((5,)), layers.Dense(8),
                                  layers.Dropout(0.3, seed=7), layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        return model

    model, n = _fit_both(make, replays)
    assert n == 0 and model._step_path.startswith("tape: the step's ops differ")


class _SetWeights(keras.callbacks.Callback):
    """Puts the initial weights back in the middle of epoch 3."""

    def on_train_begin(self, logs=None):
        self.start = self.model.get_weights()

    def on_train_batch_begin(self, batch, logs=None):
        if self.epoch == 2 and batch == 1:
            self.model.set_weights(self.start)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch


def test_set_weights_mid_epoch_gives_the_same_numbers(replays):
    """A plan reads the variables' storage every step: weights changed by a callback are
    what the next replayed step trains, exactly as on the tape."""
    model, n = _fit_both(lambda: _mlp(), replays, callbacks=[_SetWeights()], epochs=5)
    assert n > 0


def test_trainable_toggled_between_fits_retraces(replays):
    x, y = _data()

    def run():
        model = _mlp()
        h1 = model.fit(x, y, epochs=3, batch_size=20, verbose=0).history
        model.layers[0].trainable = False
        model.compile(optimizer="adam", loss="mse", metrics=["mae"])
        h2 = model.fit(x, y, epochs=3, batch_size=20, verbose=0).history
        model.layers[0].trainable = True
        model.compile(optimizer="adam", loss="mse", metrics=["mae"])
        h3 = model.fit(x, y, epochs=3, batch_size=20, verbose=0).history
        return model, {"h": [h1, h2, h3], "w": model.get_weights()}

    (model, fast), (_, tape), n = _twice(run, replays)
    assert_identical(fast, tape)
    assert n > 0


def test_trainable_toggled_without_recompiling(replays):
    """Freezing a layer without `compile()`: the plan notices the flag and traces again."""
    x, y = _data()

    def run():
        model = _mlp()
        h1 = model.fit(x, y, epochs=3, batch_size=20, verbose=0).history
        model.layers[0].trainable = False
        h2 = model.fit(x, y, epochs=3, batch_size=20, verbose=0).history
        return model, {"h": [h1, h2], "w": model.get_weights()}

    (model, fast), (_, tape), n = _twice(run, replays)
    assert_identical(fast, tape)


def test_recompile_drops_the_plans(replays):
    x, y = _data()
    model = _mlp()
    model.fit(x, y, epochs=3, batch_size=20, verbose=0)
    assert model._step_path.startswith("replay")
    model.compile(optimizer="sgd", loss="mae")
    model.fit(x, y, epochs=1, batch_size=20, verbose=0)
    assert model._step_path == "trace"


def test_profile_says_which_path_ran():
    from nbkeras.notebook.profiler import format_profile, profile_fit

    x, y = _data(n=64)
    text = format_profile(profile_fit(_mlp(), x, y, batch_size=16))
    path = [line for line in text.splitlines() if line.startswith("path: ")][0]
    assert path.startswith("path: replay (")
    assert "as fit runs it" in text

    def bn():
        model = keras.Sequential([layers.Input((5,)), layers.Dense(4),
                                  layers.BatchNormalization(synchronized=True), layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        return model

    text = format_profile(profile_fit(bn(), x, y, batch_size=16))
    assert "path: tape: layer 'batch_normalization' (BatchNormalization) is synchronized " \
           "(4 steps)" in text


def test_a_layer_setting_changed_between_fits_retraces(replays):
    x, y = _data()

    def run():
        model = _mlp(0.5)
        h1 = model.fit(x, y, epochs=3, batch_size=20, verbose=0).history
        model.layers[1].rate = 0.1
        h2 = model.fit(x, y, epochs=3, batch_size=20, verbose=0).history
        return model, {"h": [h1, h2], "w": model.get_weights()}

    (model, fast), (_, tape), n = _twice(run, replays)
    assert_identical(fast, tape)
    assert n == 2 * (6 - 2)


def test_a_bad_label_in_a_replayed_step_raises_before_any_weight_changes(replays):
    """`fit` checks the labels first; the plan checks them again (a direct `train_step`):
    the same error as on the tape, raised before the optimizer runs."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(48, 5)).astype("float32")
    y = rng.integers(0, 3, size=(48,))
    keras.utils.set_random_seed(0)
    model = keras.Sequential([layers.Input((5,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    assert model._step_path.startswith("replay")
    before = model.get_weights()
    bad = y[16:32].copy()
    bad[4] = 7
    with pytest.raises(ValueError, match=r"Labels in `y_true` must be integers in \[0, 3\)"):
        model.train_step((x[16:32], bad))
    assert model._step_path.startswith("replay")
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("act", sorted(set(keras.activations.ALL_OBJECTS_DICT) - {"glu", "threshold"}))
def test_every_activation_replays_bit_identical(act, replays):
    """Every activation in a Dense and as its own layer (some leave a recorded op whose
    output the loss never reads: the plan's unrolled backward walk skips it, as the tape)."""
    x, y = _data(n=32, d=6)

    def make():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([layers.Input((6,)), layers.Dense(4, activation=act),
                                  layers.Activation(act), layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        return model

    _fit_both(make, replays, data=(x, y), batch_size=8)


def test_layer_normalization_and_merges_replay_bit_identical(replays):
    x, y = _data(n=32, d=6)

    def make():
        keras.utils.set_random_seed(0)
        inp = keras.Input((6,))
        a = layers.LayerNormalization()(layers.Dense(8, activation="gelu")(inp))
        b = layers.Reshape((2, 3))(inp)
        b = layers.Flatten()(layers.Permute((2, 1))(b))
        h = layers.Concatenate()([a, b])
        h = layers.Add()([layers.Dense(4)(h), layers.Dense(4)(h)])
        model = keras.Model(inp, layers.Dense(1)(h))
        model.compile(optimizer="adamw", loss="mse", metrics=["mae", "msle"])
        return model

    model, n = _fit_both(make, replays, data=(x, y), batch_size=8)
    assert n > 0 and model._step_path.startswith("replay")


def test_embedding_and_global_pooling_replay_bit_identical(replays):
    rng = np.random.default_rng(3)
    x = rng.integers(0, 50, (48, 7)).astype("int32")
    y = rng.integers(0, 3, 48)

    def make():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([layers.Input((7,)), layers.Embedding(50, 8),
                                  layers.Dropout(0.2), layers.GlobalAveragePooling1D(),
                                  layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        return model

    model, n = _fit_both(make, replays, data=(x, y), batch_size=16)
    assert n > 0 and model._step_path.startswith("replay")


def test_embedding_index_error_inside_a_replayed_step_leaves_weights(replays):
    rng = np.random.default_rng(4)
    x = rng.integers(0, 20, (32, 5)).astype("int32")
    y = rng.random((32, 1)).astype("float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([layers.Input((5,)), layers.Embedding(20, 4), layers.Flatten(),
                              layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert model._step_path.startswith("replay")
    before = model.get_weights()
    bad = x[:8].copy()
    bad[3, 2] = 20
    with pytest.raises(IndexError, match=r"outside \[0, 20\)"):
        model.train_on_batch(bad, y[:8])
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
