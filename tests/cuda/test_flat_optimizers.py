"""Every optimizer on the (simulated) CUDA device updates all its variables with one kernel
launch per step over the flat parameter buffer, to the CPU's values (rtol 1e-6)."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import optimizers
from nbkeras.optimizers import flat_buffer

SHAPES = [(5, 4), (4,), (4, 3), (3,)]  # a small Dense stack: 43 parameters

OPTIMIZERS = {
    "sgd": (lambda: optimizers.SGD(0.1), "_sgd"),
    "sgd_momentum": (lambda: optimizers.SGD(0.1, momentum=0.9), "_sgd_momentum"),
    "sgd_nesterov": (lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True), "_sgd_momentum"),
    "adam": (lambda: optimizers.Adam(0.01), "_adam"),
    "adam_amsgrad": (lambda: optimizers.Adam(0.01, amsgrad=True), "_adam"),
    "adamw": (lambda: optimizers.AdamW(0.01, weight_decay=0.1), "_adam"),
    "rmsprop": (lambda: optimizers.RMSprop(0.01), "_rmsprop"),
    "rmsprop_centered_momentum": (lambda: optimizers.RMSprop(0.01, momentum=0.5, centered=True),
                                  "_rmsprop"),
    "adagrad": (lambda: optimizers.Adagrad(0.1), "_adagrad"),
    "adadelta": (lambda: optimizers.Adadelta(1.0), "_adadelta"),
    "adamax": (lambda: optimizers.Adamax(0.01), "_adamax"),
    "nadam": (lambda: optimizers.Nadam(0.01), "_nadam"),
    "lion": (lambda: optimizers.Lion(0.01), "_lion"),
    "ftrl": (lambda: optimizers.Ftrl(0.1, l1_regularization_strength=0.01,
                                     l2_regularization_strength=0.01), "_ftrl"),
}


@pytest.fixture
def launched(monkeypatch):
    """Every CUDA kernel launch of the test, in order, by kernel name."""
    import sys

    import nbkeras.backend.cuda  # noqa: F401
    from nbkeras.backend.cuda import _launch

    names, real = [], _launch.launch

    def counting(fn, n, *args):
        names.append(fn.py_func.__name__)
        real(fn, n, *args)

    for mod in list(sys.modules.values()):
        if getattr(mod, "__name__", "").startswith("nbkeras.backend.cuda") and hasattr(mod, "launch"):
            monkeypatch.setattr(mod, "launch", counting)
    return names


def _steps(device, make, launched=None):
    """Three steps of `make()` on `device`; returns the final values and the launches per step."""
    keras.config.set_device(device)
    try:
        rng = np.random.default_rng(0)
        variables = [keras.Variable(rng.normal(size=s).astype("float32")) for s in SHAPES]
        opt = make()
        per_step = []
        for step in range(3):
            grads = [rng.normal(size=s).astype("float32") for s in SHAPES]
            before = len(launched) if launched is not None else 0
            opt.apply(grads, variables)
            if launched is not None:
                per_step.append(list(launched[before:]))
        assert isinstance(opt._flat, flat_buffer.FlatParameters)
        return [np.array(keras.ops.convert_to_numpy(v)) for v in variables], per_step
    finally:
        keras.config.set_device("cpu")


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_one_launch_per_step_matches_cpu(name, launched):
    make, kernel = OPTIMIZERS[name]
    want, _ = _steps("cpu", make)
    assert not launched
    got, per_step = _steps("cuda", make, launched)
    # AdamW decays the weights first: one more launch over the same flat buffer.
    expected = (["_weight_decay"] if name == "adamw" else []) + [kernel]
    assert per_step == [expected] * 3
    for w, g in zip(want, got, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-7)


def test_per_variable_fallback_launches_once_per_variable(launched, monkeypatch):
    monkeypatch.setattr(flat_buffer, "MAX_SIZE", 10)  # the buffer would exceed the limit
    keras.config.set_device("cuda")
    try:
        variables = [keras.Variable(np.ones(s, "float32")) for s in SHAPES]
        opt = optimizers.Adam(0.01)
        opt.apply([np.ones(s, "float32") for s in SHAPES], variables)
        assert opt._flat is False
    finally:
        keras.config.set_device("cpu")
    assert launched == ["_adam"] * len(SHAPES)


def test_step_counter_and_learning_rate_stay_on_the_host():
    """Only the host reads them: on a GPU, device scalars would make every step wait for a
    copy back (meaningful with NBKERAS_CUDA_REAL=1; NumPy everywhere on the simulator)."""
    keras.config.set_device("cuda")
    try:
        from nbkeras.backend import device

        v = keras.Variable(np.ones(3, "float32"))
        opt = optimizers.Adam(0.01)
        opt.apply([np.ones(3, "float32")], [v])
        assert type(opt.iterations.data) is np.ndarray and int(opt.iterations.numpy()) == 1
        assert type(opt._learning_rate.data) is np.ndarray
        assert isinstance(v.data, device().xp.ndarray)
        assert isinstance(opt._momentums[0].data, device().xp.ndarray)
        opt.learning_rate = 0.5
        assert float(opt.learning_rate.numpy()) == 0.5
        opt.iterations.assign(7)
        assert opt._step() == 7
    finally:
        keras.config.set_device("cpu")
