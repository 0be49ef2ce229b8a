"""The replayed training step of BatchNormalization: every weight (moving mean and variance
included) and loss bit-identical to the tape step, for Dense and Conv2D models, without
center or scale, with other momentum and epsilon, over the golden BatchNormalization
training cases; the moving statistics' update waits for the step's end as on the tape;
`synchronized` stays on the tape."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers
from nbkeras.trainers import step_plan

import test_parity_training as training
from test_step_plan import _data, _fit_both, _fresh, _twice, assert_identical, replays  # noqa: F401


def _dense_bn(**bn):
    def make():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([layers.Input((5,)), layers.Dense(8),
                                  layers.BatchNormalization(**bn), layers.Activation("relu"),
                                  layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse", metrics=["mae"])
        return model
    return make


def _conv_bn(**bn):
    def make():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([layers.Input((6, 6, 2)), layers.Conv2D(4, 3, padding="same"),
                                  layers.BatchNormalization(**bn), layers.ReLU(),
                                  layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        return model
    return make


def _images(n=40):
    rng = np.random.default_rng(0)
    return (rng.normal(size=(n, 6, 6, 2)).astype("float32"),
            rng.normal(size=(n, 1)).astype("float32"))


CASES = {
    "dense": (_dense_bn(), None),
    "dense_no_center_scale": (_dense_bn(center=False, scale=False), None),
    "dense_momentum_epsilon": (_dense_bn(momentum=0.5, epsilon=0.1), None),
    "conv2d": (_conv_bn(), _images),
    "conv2d_axis1": (_conv_bn(axis=1), _images),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_batch_normalization_replays_bit_identical(name, replays):
    make, data = CASES[name]
    model, n = _fit_both(make, replays, **({"data": data()} if data else {}))
    assert n > 0 and model._step_path == "replay"
    bn = next(l for l in model.layers if isinstance(l, layers.BatchNormalization))
    assert not np.array_equal(bn.moving_mean.numpy(), np.zeros(bn.moving_mean.shape))


BN_CASES = [c for c in training.CASES if "bn" in c["id"] or "batchnorm" in c["id"]]


@pytest.mark.parametrize("case", BN_CASES, ids=[c["id"] for c in BN_CASES])
def test_batch_normalization_training_goldens_replay(case, replays):
    fast, tape, n = _twice(_fresh(training, case["id"], lambda: training.train(case)), replays)
    assert_identical(fast, tape)
    assert n > 0, case["id"]


def test_the_moving_statistics_wait_for_the_step_to_succeed(replays, monkeypatch):
    """A replayed step that raises after its forward pass leaves the moving statistics as
    they were, like the tape step."""
    model = _dense_bn()()
    x, y = _data()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert model._step_path == "replay"
    bn = model.layers[1]
    before = bn.moving_mean.numpy().copy()

    def fail(*args, **kwargs):
        raise RuntimeError("stop")

    monkeypatch.setattr(type(model.optimizer), "apply", fail)
    monkeypatch.setattr(type(model.optimizer), "_apply_flat", fail)
    with pytest.raises(RuntimeError, match="stop"):
        model.train_on_batch(x[:8], y[:8])
    assert model._step_path == "replay"
    np.testing.assert_array_equal(bn.moving_mean.numpy(), before)


def test_a_synchronized_batch_normalization_takes_the_tape_path(replays):
    model, n = _fit_both(_dense_bn(synchronized=True), replays)
    assert n == 0 and model._step_path.startswith("tape: layer") and "synchronized" in \
        model._step_path


def test_inference_still_replays_its_forward_plan():
    model = _dense_bn()()
    x, y = _data()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    a = model.predict(x, verbose=0, batch_size=8)
    b = model.predict(x, verbose=0, batch_size=8)
    np.testing.assert_array_equal(a, b)
    step_plan.forget(model)
    np.testing.assert_array_equal(model(x[:8], training=False), a[:8])
