"""The flat parameter buffer: one optimizer kernel call per step, bit-identical to the
per-variable path, with get/set_weights and saving unchanged, and its fallbacks."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers, optimizers
from nbkeras.optimizers import flat_buffer

import test_parity_training as golden


@pytest.fixture
def per_variable(monkeypatch):
    """Run the optimizers variable by variable (the path before the flat buffer)."""
    monkeypatch.setattr(flat_buffer, "ENABLED", False)


def _train_golden(case, enabled, monkeypatch):
    monkeypatch.setattr(flat_buffer, "ENABLED", enabled)
    golden._RESULTS.pop(case["id"], None)
    try:
        return golden.train(case)
    finally:
        golden._RESULTS.pop(case["id"], None)


@pytest.mark.parametrize("case", golden.CASES, ids=golden.IDS)
def test_golden_training_bit_identical(case, monkeypatch):
    flat = _train_golden(case, True, monkeypatch)
    plain = _train_golden(case, False, monkeypatch)
    assert sorted(flat["history"]) == sorted(plain["history"])
    for k in flat["history"]:
        np.testing.assert_array_equal(flat["history"][k], plain["history"][k], err_msg=k)
    for a, b in zip(flat["weights"], plain["weights"], strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(flat["predict"], plain["predict"])
    assert flat["evaluate"] == plain["evaluate"]


def _model(opt, seed=0):
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([layers.Input((5,)), layers.Dense(4, activation="relu"),
                              layers.Dense(3, kernel_constraint=keras.constraints.MaxNorm(1.0)),
                              layers.Dense(1)])
    model.compile(optimizer=opt, loss="mse")
    return model


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(40, 5)).astype("float32"), rng.normal(size=(40, 1)).astype("float32")


OPTIMIZERS = {
    "sgd_nesterov": lambda: optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    "rmsprop_centered": lambda: optimizers.RMSprop(momentum=0.5, centered=True),
    "adam_amsgrad_clip": lambda: optimizers.Adam(amsgrad=True, global_clipnorm=0.5),
    "adamw": lambda: optimizers.AdamW(weight_decay=0.1),
    "adagrad_ema": lambda: optimizers.Adagrad(0.1, use_ema=True, ema_overwrite_frequency=3),
    "adadelta": lambda: optimizers.Adadelta(1.0),
    "adamax_clipvalue": lambda: optimizers.Adamax(clipvalue=0.01),
    "nadam_accumulate": lambda: optimizers.Nadam(gradient_accumulation_steps=2),
    "lion": lambda: optimizers.Lion(),
    "ftrl": lambda: optimizers.Ftrl(0.1, l1_regularization_strength=0.01,
                                    l2_shrinkage_regularization_strength=0.01),
}


def _fit(make_opt, enabled, monkeypatch):
    monkeypatch.setattr(flat_buffer, "ENABLED", enabled)
    keras.backend.clear_session()
    model = _model(make_opt())
    x, y = _data()
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    return model


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_optimizer_bit_identical(name, monkeypatch):
    flat = _fit(OPTIMIZERS[name], True, monkeypatch)
    plain = _fit(OPTIMIZERS[name], False, monkeypatch)
    assert isinstance(flat.optimizer._flat, flat_buffer.FlatParameters)
    assert plain.optimizer._flat is False
    for a, b in zip(flat.get_weights(), plain.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(flat.optimizer.variables, plain.optimizer.variables, strict=True):
        assert a.path == b.path
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=a.path)


def test_variables_are_views_of_one_buffer():
    model = _model("adam")
    x, y = _data()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    flat = model.optimizer._flat
    assert flat.params.size == sum(v.size for v in model.trainable_variables)
    for v in model.trainable_variables:
        assert np.shares_memory(v.numpy(), flat.params)
        assert v.numpy().flags.c_contiguous
    for slot in model.optimizer._momentums:
        assert np.shares_memory(slot.numpy(), flat.slots[id(model.optimizer._momentums)])
    kernel = model.layers[0].kernel
    assert kernel is model.trainable_variables[0] and kernel.shape == (5, 4)


def test_set_weights_and_assign_reach_the_buffer(monkeypatch):
    x, y = _data()
    runs = {}
    for enabled in (True, False):
        monkeypatch.setattr(flat_buffer, "ENABLED", enabled)
        model = _model("rmsprop")
        model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
        new = [np.full_like(w, 0.1 * (i + 1)) for i, w in enumerate(model.get_weights())]
        model.set_weights(new)
        got = model.get_weights()
        for a, b in zip(got, new):
            np.testing.assert_array_equal(a, b)
        got[0][...] = 7.0  # get_weights returns copies: the model is unchanged
        assert not np.any(model.layers[0].kernel.numpy() == 7.0)
        model.layers[1].bias.assign(np.ones(3))
        model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
        runs[enabled] = model.get_weights()
    for a, b in zip(runs[True], runs[False], strict=True):
        np.testing.assert_array_equal(a, b)


def test_saving_round_trip_and_resume(tmp_path):
    x, y = _data()
    model = _model("adam")
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(model.optimizer.variables, loaded.optimizer.variables, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=a.path)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    loaded.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    assert isinstance(loaded.optimizer._flat, flat_buffer.FlatParameters)
    for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


class _HalfSGD(optimizers.SGD):
    """A user's own update rule: must be called variable by variable."""

    def update_step(self, gradient, variable, learning_rate):
        variable.assign_sub(0.5 * learning_rate * np.asarray(gradient))


def test_custom_update_rule_falls_back():
    model = _model(_HalfSGD(0.1))
    x, y = _data()
    before = model.get_weights()
    model.fit(x, y, batch_size=40, epochs=1, verbose=0)
    assert model.optimizer._flat is False
    assert not np.array_equal(before[0], model.get_weights()[0])


def test_subset_and_shared_variables_fall_back(per_variable, monkeypatch):
    monkeypatch.setattr(flat_buffer, "ENABLED", True)
    a = keras.Variable(np.ones(3, "float32"), name="a")
    b = keras.Variable(np.full((2, 2), 2.0, "float32"), name="b")
    opt = optimizers.SGD(0.5)
    opt.apply([np.ones(3, "float32"), np.ones((2, 2), "float32")], [a, b])
    assert isinstance(opt._flat, flat_buffer.FlatParameters)
    opt.apply([np.ones(3, "float32")], [a])  # a subset: per variable
    np.testing.assert_array_equal(a.numpy(), np.zeros(3))
    np.testing.assert_array_equal(b.numpy(), np.full((2, 2), 1.5))
    other = optimizers.SGD(1.0)  # re-seats `a` in its own buffer
    other.apply([np.ones(3, "float32")], [a])
    assert not opt._flat.covers([a, b])
    opt.apply([np.ones(3, "float32"), np.ones((2, 2), "float32")], [a, b])
    np.testing.assert_array_equal(a.numpy(), np.full(3, -1.5))
    np.testing.assert_array_equal(b.numpy(), np.ones((2, 2)))


def test_large_models_stay_per_variable(monkeypatch):
    monkeypatch.setattr(flat_buffer, "MAX_SIZE", 10)
    model = _model("adam")
    x, y = _data()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert model.optimizer._flat is False


@pytest.mark.parametrize("name", ["adam", "sgd_nesterov", "adam_amsgrad_clip"])
def test_large_models_replay_the_short_update(name, monkeypatch):
    # Too large for the buffer: the replayed step still skips `apply` (its own kernels,
    # one call per variable), with the tape path's bits. (The Python replay's update: the
    # fused step, which runs the same kernels inside one call, is tested in test_step_fused.)
    monkeypatch.setattr(flat_buffer, "MAX_SIZE", 10)
    monkeypatch.setattr(keras.config, "_STEP_FUSED", False)
    x, y = _data()
    make = OPTIMIZERS.get(name, lambda: optimizers.Adam())
    tape = _model(make())
    keras.config.set_step_replay(False)
    try:
        tape.fit(x, y, batch_size=8, epochs=2, verbose=0)
    finally:
        keras.config.set_step_replay(True)
    replay = _model(make())
    calls = []
    apply = optimizers.Optimizer.apply
    monkeypatch.setattr(optimizers.Optimizer, "apply",
                        lambda self, *a, **k: calls.append(1) or apply(self, *a, **k))
    replay.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert replay._step_path == "replay" and replay.optimizer._flat is False
    clipped = replay.optimizer.global_clipnorm is not None
    assert len(calls) == (10 if clipped else 2)  # the two traced steps only, unless clipped
    for a, b in zip(tape.get_weights(), replay.get_weights(), strict=True):
        assert a.tobytes() == b.tobytes()


def test_mixed_dtypes_fall_back():
    a = keras.Variable(np.ones(2, "float32"), name="a")
    b = keras.Variable(np.ones(2, "float64"), dtype="float64", name="b")
    opt = optimizers.Adam(0.1)
    opt.apply([np.ones(2, "float32"), np.ones(2, "float64")], [a, b])
    assert opt._flat is False
    assert a.numpy()[0] < 1 and b.numpy()[0] < 1


def _optimizer_cases():
    import importlib.util
    import os

    path = os.path.join(os.path.dirname(__file__), "cuda", "cases.py")
    spec = importlib.util.spec_from_file_location("cuda_cases", path)
    cases = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cases)
    cases._N = 1003  # long enough for the SIMD body and an odd scalar remainder
    return [c for c in cases.all_cases() if c[1].endswith("_update")]


@pytest.mark.parametrize("case", _optimizer_cases(), ids=lambda c: c[0])
def test_update_kernels_give_each_element_the_same_result_wherever_it_sits(case):
    """The flat buffer is bit-identical to per-variable updates only if an element's update
    does not depend on its place in the array (SIMD body or scalar remainder)."""
    from nbkeras.backend import cpu

    _, name, build, _ = case
    whole = build()
    getattr(cpu, name)(*whole)
    pieces = build()
    n = pieces[0].size
    for lo in range(0, n, 7):
        getattr(cpu, name)(*[a[lo:lo + 7] if isinstance(a, np.ndarray) and a.size == n else a
                             for a in pieces])
    for a, b in zip(whole, pieces):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)
