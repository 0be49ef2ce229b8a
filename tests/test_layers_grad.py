"""Finite-difference checks of every layer's gradient w.r.t. its input and each trainable
weight, in float64; a custom Layer subclass trains with no gradient code; and a compiled
Sequential's loss (with weight and activity regularizers) differentiates correctly.
"""

import numpy as np
import pytest

from finite_differences import fd, fd_variable
import nbkeras
from nbkeras import layers, ops, regularizers
from nbkeras.ops.core import Tensor, unwrap

pytestmark = pytest.mark.usefixtures("float64")


def rnd(*shape, lo=-2.0, hi=2.0, seed=0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


def assert_close(ga, gn, what, rtol=1e-5):
    assert ga is not None, f"no gradient for {what}"
    np.testing.assert_allclose(ga, gn, rtol=rtol, atol=rtol * max(1.0, np.abs(gn).max()),
                               err_msg=what)


def check_layer(forward, x, weights=(), eps=1e-6, rtol=1e-5):
    """forward(x) -> output; checks d sum(out * R) / d(x and each weight)."""
    out = unwrap(forward(x))
    assert out.dtype == np.float64
    R = np.random.default_rng(7).normal(size=out.shape)
    with ops.GradientTape() as tape:
        xt = tape.watch(x.copy())
        y = forward(xt)
        assert isinstance(y, Tensor)
        loss = ops.sum(ops.multiply(y, R))
    grads = tape.gradient(loss, [xt] + list(weights))
    xb = x.copy()
    f = lambda: float(np.sum(unwrap(forward(xb)) * R))  # noqa: E731
    assert_close(grads[0], fd(f, xb, eps), "input", rtol)
    for v, g in zip(weights, grads[1:]):
        assert_close(g, fd_variable(f, v, eps), v.path, rtol)
    return grads


def layer_check(layer, x, expected_weights, **call_kwargs):
    layer(x, **call_kwargs)  # build
    assert [v.name for v in layer.trainable_weights] == expected_weights
    return check_layer(lambda t: layer(t, **call_kwargs), x, layer.trainable_weights)


X2, X3, X4 = rnd(5, 4, seed=1) * 1.5, rnd(2, 3, 4, seed=2) * 1.5, rnd(4, 3, 2, 2, seed=3)

DENSE_ACTS = [None, "relu", "tanh", "sigmoid", "softmax", "gelu", "elu", "selu", "softplus",
              "softsign", "swish", "mish", "leaky_relu", "relu6", "hard_sigmoid", "hard_silu",
              "exponential", "log_softmax"]


@pytest.mark.parametrize("act", DENSE_ACTS + [ops.square], ids=str)
def test_dense(act):
    layer_check(layers.Dense(3, activation=act), X2, ["kernel", "bias"])


@pytest.mark.parametrize("act", [None, "relu", "tanh", "softmax"])
def test_dense_3d_input(act):
    layer_check(layers.Dense(3, activation=act), X3, ["kernel", "bias"])


@pytest.mark.parametrize("act", [None, "sigmoid"])
def test_dense_no_bias(act):
    layer_check(layers.Dense(3, activation=act, use_bias=False), X3, ["kernel"])


@pytest.mark.parametrize("act", ["relu", "softmax", "gelu", "elu", "tanh", "log_softmax", "linear"])
def test_activation_layer(act):
    layer_check(layers.Activation(act), X3, [])


def test_dropout_training_fixed_seed():
    # A fresh seeded layer per call gives the same mask, so the function is deterministic.
    def forward(t):
        return layers.Dropout(0.4, seed=5)(t, training=True)

    out = unwrap(forward(X2))
    mask = out / X2
    assert set(np.round(np.unique(mask), 12)) == {0.0, round(1 / 0.6, 12)}
    with ops.GradientTape() as tape:
        t = tape.watch(X2)
        total = ops.sum(forward(t))
    np.testing.assert_allclose(tape.gradient(total, t), mask, rtol=1e-12)
    check_layer(forward, X2)


def test_dropout_noise_shape_training():
    check_layer(lambda t: layers.Dropout(0.5, noise_shape=(1, 4), seed=3)(t, training=True), X2)


@pytest.mark.parametrize("training", [False, None])
def test_dropout_inference_is_identity(training):
    layer = layers.Dropout(0.5, seed=1)
    np.testing.assert_array_equal(layer(X2, training=training), X2)
    layer_check(layer, X2, [], training=training)


@pytest.mark.parametrize("axis, x", [(-1, X2), (-1, X3), (1, X4), (-1, X4)],
                         ids=["2d", "3d", "4d-axis1", "4d-axis-1"])
def test_batch_normalization_training(axis, x):
    bn = layers.BatchNormalization(axis=axis)
    bn(x, training=True)
    c = x.shape[axis]
    beta = rnd(c, seed=5)
    bn.set_weights([rnd(c, lo=0.5, hi=1.5, seed=4), beta, np.zeros(c), np.ones(c)])
    layer_check(bn, x, ["gamma", "beta"], training=True)
    # training mode uses the batch's own statistics, per feature along `axis`
    out = unwrap(bn(x, training=True))
    red = tuple(i for i in range(x.ndim) if i != axis % x.ndim)
    np.testing.assert_allclose(out.mean(axis=red), beta, atol=1e-12)


def test_batch_normalization_no_center_no_scale():
    layer_check(layers.BatchNormalization(center=False, scale=False), X2, [], training=True)


@pytest.mark.parametrize("axis, x", [(-1, X2), (1, X4)], ids=["2d", "4d-axis1"])
def test_batch_normalization_inference(axis, x):
    bn = layers.BatchNormalization(axis=axis)
    bn(x, training=True)
    c = x.shape[axis]
    bn.set_weights([rnd(c, lo=0.5, hi=1.5), rnd(c, seed=6), rnd(c, seed=7), rnd(c, lo=0.5, hi=2)])
    layer_check(bn, x, ["gamma", "beta"], training=False)


@pytest.mark.parametrize("layer, x", [
    (lambda: layers.Flatten(), X3), (lambda: layers.Flatten(), X4),
    (lambda: layers.Flatten(data_format="channels_first"), X4),
    (lambda: layers.Reshape((4, -1)), X3), (lambda: layers.Reshape((2, 2, 3)), X3),
    (lambda: layers.Reshape((12,)), X4),
], ids=["flatten-3d", "flatten-4d", "flatten-channels_first", "reshape-neg", "reshape-3d",
        "reshape-flat"])
def test_reshaping_layers(layer, x):
    layer_check(layer(), x, [])


@pytest.mark.parametrize("fn", [
    lambda x: ops.tanh(x) * ops.sum(ops.square(x), axis=-1, keepdims=True),
    lambda x: x[:, -1, :],
    lambda x: ops.transpose(ops.softmax(x, axis=1), (0, 2, 1)) * ops.max(x, axis=1)[:, :, None],
], ids=["ops-expression", "last-timestep", "softmax-transpose"])
def test_lambda(fn):
    layer_check(layers.Lambda(fn), X3, [])


class Bilinear(layers.Layer):
    """A user-written layer: weights from add_weight, computation from ops, no gradient code."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform",
                                 name="w")
        self.scale = self.add_weight(shape=(self.units,), initializer="ones", name="scale")
        self.offset = self.add_weight(shape=(self.units,), initializer="zeros", name="offset",
                                      trainable=False)

    def call(self, x):
        h = ops.matmul(x, self.w)
        return ops.tanh(h) * self.scale + ops.square(h) * 0.1 - ops.exp(-self.scale) + self.offset


class Block(layers.Layer):
    """A custom layer that owns a Dense sublayer and a custom weight."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.inner = layers.Dense(3, activation="tanh")

    def build(self, input_shape):
        self.gate = self.add_weight(shape=(3,), initializer="ones", name="gate")

    def call(self, x):
        return self.inner(x) * ops.sigmoid(self.gate)


def test_custom_layer_gradients():
    layer = Bilinear(3)
    layer(X3)
    layer.scale.assign(rnd(3, lo=0.5, hi=1.5, seed=8))
    assert [v.name for v in layer.non_trainable_weights] == ["offset"]
    layer_check(layer, X3, ["w", "scale"])


def test_custom_layer_with_sublayer_gradients():
    layer_check(Block(), X2, ["gate", "kernel", "bias"])


def test_custom_layer_trains_with_fit():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4))
    y = np.tanh(x @ rng.normal(size=(4, 1)))
    model = nbkeras.Sequential([nbkeras.Input((4,)), Bilinear(3), layers.Dense(1)])
    model.compile(optimizer=nbkeras.optimizers.SGD(0.05), loss="mse")
    before = [w.copy() for w in model.layers[0].get_weights()]
    first = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    after = model.layers[0].get_weights()
    assert not np.allclose(before[0], after[0]) and not np.allclose(before[1], after[1])
    np.testing.assert_array_equal(before[2], after[2])  # non-trainable: untouched
    assert model.evaluate(x, y, verbose=0) < 0.5 * first


def _regularized_model():
    model = nbkeras.Sequential([
        nbkeras.Input((4,)),
        layers.Dense(5, activation="tanh", kernel_regularizer=regularizers.l2(0.03),
                     bias_initializer="ones", bias_regularizer="l2",
                     activity_regularizer=regularizers.l2(0.02)),
        layers.BatchNormalization(),
        layers.Dense(2, kernel_regularizer=regularizers.l1_l2(l1=0.01, l2=0.02),
                     activity_regularizer=regularizers.l1(0.01)),
    ])
    model.compile(optimizer=nbkeras.optimizers.SGD(learning_rate=0.5), loss="mse")
    return model


def test_model_loss_gradient_with_regularizers():
    model = _regularized_model()
    x, y = rnd(6, 4, seed=9), rnd(6, 2, seed=10)
    mse = nbkeras.losses.MeanSquaredError()

    def loss_value():
        total = mse(y, model(x, training=True))
        for term in model.losses:
            total = ops.add(total, term)
        return total

    with ops.GradientTape() as tape:
        loss = loss_value()
    assert len(model.losses) == 2 + 3  # two activity penalties, three weight penalties
    weights = model.trainable_weights
    grads = tape.gradient(loss, weights)
    f = lambda: float(unwrap(loss_value()))  # noqa: E731
    for v, g in zip(weights, grads):
        assert_close(g, fd_variable(f, v, 1e-6), v.path)

    # The trainer's own step uses exactly this loss: one SGD step moves w by -lr * grad.
    before, expected = [v.numpy().copy() for v in weights], f()
    np.testing.assert_allclose(model.train_on_batch(x, y), expected, rtol=1e-6)
    for v, w0, g in zip(weights, before, grads):
        np.testing.assert_allclose((w0 - v.numpy()) / 0.5, g, rtol=1e-7, atol=1e-12,
                                   err_msg=v.path)
