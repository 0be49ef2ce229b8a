"""The replayed inference forward pass (nbkeras/trainers/forward_plan.py): predict,
predict_on_batch, evaluate and test_on_batch are bit-identical to the direct call over the
golden models and the layers the plan covers, and stay on the direct call, with a reason,
wherever the tracer cannot prove the forward pass static."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import config, layers, ops
from nbkeras.trainers import forward_plan, step_plan

import test_contract_parity as contract
import test_parity_activations as activations
import test_parity_functional as functional
import test_parity_optimizers as optimizers_golden
import test_parity_training as training
from test_step_plan import _fresh, assert_identical


@pytest.fixture
def checked(monkeypatch):
    """Every forward pass of predict / evaluate / fit's validation (evaluate's with its
    loss), of a model proved static, is run again until it replays, and the replayed
    outputs (and loss, and what the per-output loss trackers took) are compared with the
    direct call's, bit for bit; the metrics' state is put back as one call left it.
    Yields {"calls": forward passes, "replays": those that replayed}. The GEMM lanes are
    pinned to one, so both paths take the same thread path."""
    monkeypatch.setenv("NBKERAS_BLAS_THREADS", "1")
    counts = {"calls": 0, "replays": 0}

    def checking(original):
        def run(model, *args):
            state = _metric_state(model)
            out = original(model, *args)
            counts["calls"] += 1
            if not config.step_replay() or model._predict_path.startswith("direct"):
                return out
            after = _metric_state(model)
            replayed = out
            for _ in range(forward_plan._TRACES):
                if model._predict_path != "trace":
                    break
                _put_metric_state(model, state)
                replayed = original(model, *args)
            if model._predict_path == "replay":  # (else the traces disagreed: direct stays)
                replayed_state = _metric_state(model)
                _put_metric_state(model, state)
                config.set_step_replay(False)
                try:
                    direct = original(model, *args)
                finally:
                    config.set_step_replay(True)
                assert_identical(replayed, direct, f"{model.name}'s replayed forward pass")
                assert_identical(out, direct, f"{model.name}'s traced forward pass")
                assert_identical(replayed_state, _metric_state(model), "the metrics' state")
                counts["replays"] += 1
            _put_metric_state(model, after)
            return out
        return run

    monkeypatch.setattr(forward_plan, "forward", checking(forward_plan.forward))
    monkeypatch.setattr(forward_plan, "forward_loss", checking(forward_plan.forward_loss))
    yield counts
    config.set_step_replay(True)


def _metric_state(model):
    return [np.array(v.data, copy=True) for m in model.metrics for v in m.variables]


def _put_metric_state(model, state):
    for v, value in zip([v for m in model.metrics for v in m.variables], state):
        v.assign(value)


def _twice(run, counts):
    """`run()` with replay allowed, then forced off: (fast result, direct result, replays);
    a run with forward passes is noted in REPLAYED for the coverage test below."""
    config.set_step_replay(True)
    keras.utils.set_random_seed(1234)
    fast = run()
    calls, n = counts["calls"], counts["replays"]
    counts["replays"] = 0
    config.set_step_replay(False)
    keras.utils.set_random_seed(1234)
    try:
        direct = run()
    finally:
        config.set_step_replay(True)
    assert counts["replays"] == 0, "the switch did not force the direct path"
    return fast, direct, (n if calls else None)


REPLAYED = {}  # case -> replayed forward passes (of the cases that run any)


def _functional_predicts(case):
    """Merges of two inputs, nesting, shared layers: predicted three times in batches."""
    model = functional._build(case)
    xs = [functional.A[k] for k in case["x"]]
    xs = xs if len(xs) > 1 else xs[0]
    return [model.predict(xs, batch_size=4, verbose=0) for _ in range(3)]


# (golden group, case id, the case's run), over the goldens of tests/test_step_plan.py
# and the functional ones; each run is cached by its module (`_fresh` drops the cache).
GOLDEN_RUNS = (
    [("training", c["id"], _fresh(training, c["id"], lambda c=c: training.train(c)))
     for c in training.CASES]
    + [("optimizers", c["id"], _fresh(optimizers_golden, c["id"],
                                      lambda c=c: optimizers_golden.train(c)))
       for c in optimizers_golden.FIT]
    + [("activations", c["id"], _fresh(activations, c["id"], lambda c=c: activations.train(c)))
       for c in activations.TRAINING]
    + [("contract", cid, _fresh(contract, cid, lambda cid=cid: contract.trained(cid)))
       for cid in sorted(contract.cm.RUNNERS)]
    + [("functional", c["id"], lambda c=c: _functional_predicts(c)) for c in functional.PREDICT])


@pytest.mark.parametrize("group, cid, run", GOLDEN_RUNS,
                         ids=[f"{g}/{c}" for g, c, _ in GOLDEN_RUNS])
def test_goldens_bit_identical(group, cid, run, checked):
    fast, direct, n = _twice(run, checked)
    assert_identical(fast, direct)
    REPLAYED[f"{group}/{cid}"] = n


def test_golden_cases_do_replay():
    """The comparisons above are not direct against direct (run after them, in file order)."""
    if not REPLAYED:
        pytest.skip("run with the golden comparisons above")
    ran = {k for k, n in REPLAYED.items() if n is not None}
    replayed = {k for k in ran if REPLAYED[k]}
    for cid in ("training/tutorial_rmsprop", "training/validation_split",
                "training/batchnorm_multibatch"):
        if cid in REPLAYED:
            assert cid in replayed, cid
    # Most golden models are Dense stacks: most of them replay.
    assert len(replayed) >= 0.8 * len(ran), sorted(ran - replayed)


# --------------------------------------------------------------- small models
def _data(n=40, d=5, k=1, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)).astype("float32"), rng.normal(size=(n, k)).astype("float32")


def _calls(model, x, y, batch_size=16):
    """Each inference call three times (two traces, then replays), as a list of results."""
    out = []
    for _ in range(3):
        out += [model.predict(x, batch_size=batch_size, verbose=0), model.predict_on_batch(x),
                model.evaluate(x, y, batch_size=batch_size, verbose=0),
                model.evaluate(x, y, batch_size=batch_size, verbose=0, return_dict=True),
                model.test_on_batch(x, y)]
    return out


def _both(model, x, y, **kw):
    """The calls with replay, then on the direct path: identical, and the first replayed."""
    fast = _calls(model, x, y, **kw)
    path = model._predict_path
    config.set_step_replay(False)
    try:
        direct = _calls(model, x, y, **kw)
        assert model._predict_path.startswith("direct: replay turned off")
    finally:
        config.set_step_replay(True)
    assert_identical(fast, direct)
    return path


def _mlp(*extra, compile_kw=None):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([layers.Input((5,)), layers.Dense(8, activation="relu"), *extra,
                              layers.Dense(1)])
    model.compile(**(compile_kw or {"optimizer": "adam", "loss": "mse", "metrics": ["mae"]}))
    return model


@pytest.mark.parametrize("extra", [
    lambda: [layers.Dropout(0.5)],
    lambda: [layers.Dropout(0.3, seed=7)],
    lambda: [layers.BatchNormalization()],
    lambda: [layers.LayerNormalization()],
    lambda: [layers.GaussianNoise(0.3), layers.GaussianDropout(0.2)],
], ids=["dropout", "seeded_dropout", "batchnorm", "layernorm", "noise"])
def test_layers_replay_bit_identical(extra):
    model = _mlp(*extra())
    x, y = _data()
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)  # BatchNormalization's statistics move
    assert _both(model, x, y) == "replay"


@pytest.mark.parametrize("weighted", [False, True])
def test_evaluate_replays_its_loss_with_the_forward_pass(weighted):
    """Regularizers and sample weights in the loss: one plan for the outputs and the loss."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([layers.Input((5,)),
                              layers.Dense(8, activation="relu", kernel_regularizer="l2"),
                              layers.Dense(1, bias_regularizer="l1")])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"], weighted_metrics=["mse"])
    x, y = _data()
    sw = np.linspace(0.5, 1.5, len(x)).astype("float32") if weighted else None

    def calls():
        return [model.evaluate(x, y, sample_weight=sw, batch_size=16, verbose=0,
                               return_dict=True) for _ in range(4)] + [
            model.test_on_batch(x, y, sample_weight=sw) for _ in range(4)]

    fast = calls()
    assert model._predict_path == "replay"
    loss_plans = [k for k, e in model._forward_plans.items() if k[0] == "loss" and e.plan]
    assert len(loss_plans) == 3  # batches of 16 and 8, then 40
    config.set_step_replay(False)
    try:
        assert_identical(fast, calls())
    finally:
        config.set_step_replay(True)


def test_a_loss_the_tracer_cannot_follow_leaves_the_forward_pass_replayed():
    """Huber compares arrays outside the ops: its loss stays as it is, after the replayed
    forward pass."""
    model = _mlp(compile_kw={"optimizer": "sgd", "loss": "huber"})
    x, y = _data()
    assert _both(model, x, y) == "replay"
    failed = [e.failed for k, e in model._forward_plans.items() if k[0] == "loss"]
    assert failed and all("reads an array that no traced op" in f for f in failed)


def test_a_custom_loss_stays_out_of_the_plan():
    model = _mlp(compile_kw={"optimizer": "sgd", "loss": lambda t, p: ops.mean((t - p) ** 2)})
    x, y = _data()
    assert _both(model, x, y) == "replay"  # the forward pass alone
    assert not any(k[0] == "loss" for k in model._forward_plans)


def test_embedding_and_pooling_replay_bit_identical():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([layers.Input((6,), dtype="int32"), layers.Embedding(20, 4),
                              layers.GlobalAveragePooling1D(), layers.Dense(3)])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(0).integers(0, 20, size=(40, 6)).astype("int32")
    y = np.random.default_rng(1).integers(0, 3, size=(40,))
    assert _both(model, x, y) == "replay"


def test_functional_two_inputs_two_outputs_replay_bit_identical():
    keras.utils.set_random_seed(0)
    a, b = keras.Input((5,), name="a"), keras.Input((3,), name="b")
    h = layers.Concatenate()([layers.Dense(4, activation="tanh")(a), b])
    out1 = layers.Dense(1, name="out1")(h)
    out2 = layers.Dense(2, activation="softmax", name="out2")(h)
    model = keras.Model([a, b], [out1, out2])
    model.compile(optimizer="sgd", loss=["mse", "categorical_crossentropy"],
                  metrics=[["mae"], ["accuracy"]])
    x, y = _data()
    xb, y2 = _data(d=3, k=2, seed=1)
    assert _both(model, [x, xb], [y, np.abs(y2)]) == "replay"
    plan = next(iter(model._forward_plans.values())).plan
    assert not plan.single  # a list of two outputs, rebuilt


def test_dict_inputs_and_outputs_replay_bit_identical():
    keras.utils.set_random_seed(0)
    a, b = keras.Input((5,), name="a"), keras.Input((5,), name="b")
    h = layers.Add()([layers.Dense(4)(a), layers.Dense(4)(b)])
    model = keras.Model({"a": a, "b": b}, {"y": layers.Dense(1, name="y")(h)})
    model.compile(optimizer="sgd", loss={"y": "mse"})
    x, y = _data()
    assert _both(model, {"a": x, "b": x[::-1].copy()}, {"y": y}) == "replay"


def test_nested_model_replays_bit_identical():
    keras.utils.set_random_seed(0)
    inner = keras.Sequential([layers.Input((5,)), layers.Dense(6, activation="relu")])
    inp = keras.Input((5,))
    model = keras.Model(inp, layers.Dense(1)(inner(inp)))
    model.compile(optimizer="sgd", loss="mse")
    assert _both(model, *_data()) == "replay"


def test_cnn_replays_once_convolutions_are_ops():
    """Convolutions and pooling replay as soon as the training step's whitelist has them
    (they run as `ops.core.op`); before that the CNN stays direct, with the same numbers."""
    from nbkeras.trainers import step_static

    keras.utils.set_random_seed(0)
    model = keras.Sequential([layers.Input((10, 10, 1)), layers.Conv2D(4, 3, activation="relu"),
                              layers.MaxPooling2D(), layers.BatchNormalization(),
                              layers.Dropout(0.5), layers.Flatten(),
                              layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(0).random((20, 10, 10, 1), dtype="float32")
    y = np.random.default_rng(1).integers(0, 3, size=(20,))
    path = _both(model, x, y, batch_size=8)
    if {layers.Conv2D, layers.MaxPooling2D} <= step_static.whitelist():
        assert path == "replay"
    else:
        assert path.startswith("direct: layer") and "not on the replay whitelist" in path, path


# ------------------------------------------------------------- weights and plans
def _direct_predict(model, x):
    config.set_step_replay(False)
    try:
        return model.predict(x, verbose=0)
    finally:
        config.set_step_replay(True)


def test_set_weights_between_predicts_changes_the_output():
    model, (x, _) = _mlp(), _data()
    before = [model.predict(x, verbose=0) for _ in range(3)][-1]
    assert model._predict_path == "replay"
    model.set_weights([w * 0.5 for w in model.get_weights()])
    after = model.predict(x, verbose=0)
    assert model._predict_path == "replay" and not np.array_equal(before, after)
    assert_identical(after, _direct_predict(model, x))


def test_load_weights_between_predicts(tmp_path):
    pytest.importorskip("h5py")
    model, (x, y) = _mlp(), _data()
    model.fit(x, y, epochs=1, verbose=0)
    path = str(tmp_path / "w.weights.h5")
    model.save_weights(path)
    first = [model.predict(x, verbose=0) for _ in range(3)][-1]
    model.fit(x, y, epochs=2, verbose=0)
    model.load_weights(path)
    assert_identical(model.predict(x, verbose=0), first)
    assert model._predict_path == "replay"


def test_partial_last_batch_gets_its_own_plan():
    model, (x, y) = _mlp(), _data()  # 40 samples: batches of 16, 16 and 8
    assert _both(model, x, y) == "replay"
    shapes = {k[0] for k in model._forward_plans}
    assert {(16, 5), (8, 5), (40, 5)} <= shapes  # predict_on_batch's whole batch too
    assert all(e.plan is not None for e in model._forward_plans.values())


def test_predict_after_more_training_uses_the_new_weights():
    model, (x, y) = _mlp(), _data()
    before = [model.predict(x, verbose=0) for _ in range(3)][-1]
    model.fit(x, y, epochs=2, batch_size=16, verbose=0, validation_data=(x[:8], y[:8]))
    after = model.predict(x, verbose=0)
    assert not np.array_equal(before, after)
    assert_identical(after, _direct_predict(model, x))


def test_validation_replays_bit_identical(checked):
    def run():
        model, (x, y) = _mlp(), _data()
        hist = model.fit(x, y, epochs=4, batch_size=16, verbose=0,
                         validation_data=(x[:24], y[:24]))
        return hist.history, model.get_weights()

    fast, direct, n = _twice(run, checked)
    assert_identical(fast, direct)
    assert n > 0


def test_a_layer_added_drops_the_plans():
    model, (x, _) = _mlp(), _data()
    for _ in range(3):
        model.predict(x, verbose=0)
    model.add(layers.Dense(2))
    assert model.predict(x, verbose=0).shape == (40, 2)
    assert model._predict_path == "trace"


def test_a_layer_setting_changed_retraces_after_fit():
    """A layer's plain settings are checked when the trainable weights' list is new."""
    model, (x, y) = _mlp(layers.Dropout(0.5)), _data()
    model.fit(x, y, epochs=1, verbose=0)
    for _ in range(3):
        model.predict(x, verbose=0)
    model.layers[1].rate = 0.25
    model.fit(x, y, epochs=1, verbose=0)
    model.predict(x, verbose=0)
    assert model._predict_path == "trace"
    for _ in range(2):
        model.predict(x, verbose=0)
    assert model._predict_path == "replay"


def test_a_proof_made_while_masks_are_alive_is_not_kept():
    keras.utils.set_random_seed(0)
    emb = keras.Sequential([layers.Input((3,), dtype="int32"),
                            layers.Embedding(5, 2, mask_zero=True)])
    masked = emb(np.array([[1, 0, 0]], "int32"))  # an output with a mask, kept alive
    model, (x, _) = _mlp(layers.LayerNormalization()), _data()  # (a layer taking masks)
    model.predict(x, verbose=0)
    assert model._predict_path.startswith("direct: Keras masks")
    del masked
    for _ in range(3):
        model.predict(x, verbose=0)
    assert model._predict_path == "replay"


def test_forget_drops_the_forward_plans():
    model, (x, _) = _mlp(), _data()
    for _ in range(3):
        model.predict(x, verbose=0)
    step_plan.forget(model)
    assert "_forward_plans" not in model.__dict__
    model.predict(x, verbose=0)
    assert model._predict_path == "trace"


def test_plans_are_bounded():
    model = _mlp()
    for n in range(1, forward_plan._MAX_PLANS + 2):
        model.predict_on_batch(np.ones((n, 5), "float32"))
    assert model._predict_path == f"direct: more than {forward_plan._MAX_PLANS} input shapes"
    assert len(model._forward_plans) == forward_plan._MAX_PLANS


def test_large_batches_stay_direct(monkeypatch):
    monkeypatch.setattr(forward_plan, "_MAX_BATCH", 16)
    model, (x, _) = _mlp(), _data()
    model.predict_on_batch(x)
    assert model._predict_path == "direct: a batch of more than 16 samples"
    model.predict(x, batch_size=16, verbose=0)
    assert model._predict_path == "trace" and len(model._forward_plans) == 2


def test_an_error_inside_a_replayed_forward_pass_is_the_direct_call_s():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([layers.Input((3,), dtype="int32"), layers.Embedding(5, 2)])
    good, bad = np.array([[1, 2, 3]], "int32"), np.array([[1, 7, 3]], "int32")
    for _ in range(3):
        model.predict(good, verbose=0)
    assert model._predict_path == "replay"
    with pytest.raises(Exception) as replayed:
        model.predict(bad, verbose=0)
    config.set_step_replay(False)
    try:
        with pytest.raises(Exception) as direct:
            model.predict(bad, verbose=0)
    finally:
        config.set_step_replay(True)
    assert type(replayed.value) is type(direct.value)
    assert str(replayed.value) == str(direct.value)


# ---------------------------------------------------------------- fallbacks
def test_subclassed_model_stays_direct():
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden, self.top = layers.Dense(4, activation="relu"), layers.Dense(1)

        def call(self, x):
            return self.top(self.hidden(x))

    model, (x, _) = Net(), _data()
    for _ in range(3):
        model.predict(x, verbose=0)
    assert model._predict_path == "direct: a subclassed model (Net defines its own `call`)"


def test_a_layer_overriding_call_stays_direct():
    class Doubled(layers.Dense):
        def call(self, x):
            return super().call(x) * 2.0

    keras.utils.set_random_seed(0)
    model = keras.Sequential([layers.Input((5,)), Doubled(3, name="doubled")])
    x, _ = _data()
    for _ in range(3):
        model.predict(x, verbose=0)
    assert model._predict_path == ("direct: layer 'doubled' (Doubled) is not on the replay "
                                   "whitelist")


def test_activity_regularizer_stays_direct_and_evaluate_keeps_its_loss():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([layers.Input((5,)), layers.Dense(4, activity_regularizer="l2"),
                              layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = _data()
    assert _both(model, x, y).startswith("direct: add_loss terms")


@pytest.mark.parametrize("pooled", [False, True])
def test_masks_stay_direct(pooled):
    """A mask on the outputs (the loss would read it), or one a layer reads."""
    keras.utils.set_random_seed(0)
    tail = [layers.GlobalAveragePooling1D(), layers.Dense(1)] if pooled else []
    model = keras.Sequential([layers.Input((6,), dtype="int32"),
                              layers.Embedding(20, 1, mask_zero=True), *tail])
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).integers(0, 20, size=(40, 6)).astype("int32")
    x[:, -2:] = 0
    y = _data()[1] if pooled else np.ones((40, 6, 1), "float32")
    path = _both(model, x, y)
    assert path.startswith("direct: " if pooled else "direct: Keras masks"), path


def test_model_call_replays_bit_identical():
    """`model(x)` (and `model(x, training=False)`) of one array replays the plan predict
    uses: the direct call's numbers, a fresh array each call; `training=True`, a tape or a
    subclassed model take Layer.__call__."""
    keras.utils.set_random_seed(0)
    cnn = keras.Sequential([layers.Input((8, 8, 1)), layers.Conv2D(4, 3, activation="relu"),
                            layers.MaxPooling2D(), layers.Dropout(0.5), layers.Flatten(),
                            layers.Dense(3, activation="softmax")])
    x = np.random.default_rng(0).random((1, 8, 8, 1), dtype="float32")
    for model, x in ((_mlp(layers.Dropout(0.5)), _data(n=1)[0]), (cnn, x)):
        fast = [model(x) for _ in range(3)] + [model(x, training=False)]
        assert model._predict_path == "replay"
        assert fast[2] is not fast[3] and not np.shares_memory(fast[2], fast[3])
        config.set_step_replay(False)
        try:
            direct = model(x)
        finally:
            config.set_step_replay(True)
        for out in fast:
            assert_identical(out, direct)
        model._last_predict_path = "replay"
        trained = model(x, training=True)
        assert model._predict_path == "replay"  # (not routed: Layer.__call__ ran)
        assert not np.array_equal(trained, direct)  # (the dropout ran)
        with ops.GradientTape() as tape:
            loss = ops.mean(model(x))
        assert all(g is not None for g in tape.gradient(loss, model.trainable_variables))


def test_inside_a_gradient_tape_stays_direct():
    model, (x, _) = _mlp(), _data()
    for _ in range(3):
        model.predict(x, verbose=0)
    with ops.GradientTape() as tape:
        out = model.predict_step(x)
        loss = ops.mean(out)
    assert model._predict_path.startswith("direct: a GradientTape records")
    assert all(g is not None for g in tape.gradient(loss, model.trainable_variables))


def test_data_dependent_forward_is_caught_by_the_trace_comparison(monkeypatch):
    """A layer let through the whitelist falls back when its ops differ between calls."""
    from nbkeras.trainers import step_static
    from test_step_plan import _Branchy

    monkeypatch.setattr(step_static, "_FORWARD_WHITELIST",
                        step_static.forward_whitelist() | {_Branchy})
    keras.utils.set_random_seed(0)
    model = keras.Sequential([layers.Input((5,)), _Branchy()])
    x, _ = _data(n=8)
    model.predict(x + 3.0, verbose=0)
    model.predict(x - 3.0, verbose=0)  # traced: the two traces differ
    assert_identical(model.predict(x + 3.0, verbose=0), model(x + 3.0))
    assert model._predict_path.startswith("direct: the forward pass's ops differ")


def test_profile_says_which_predict_path():
    from nbkeras.notebook.profiler import format_profile, profile_fit

    x, y = _data(n=64)
    text = format_profile(profile_fit(_mlp(), x, y, batch_size=16))
    assert "\npredict path: replay\n" in text
