"""Finite-difference checks (float64, tiny shapes) of the recurrent op and the layers of
issue 6: SimpleRNN, LSTM, GRU (both reset placements), masks, dropout masks, initial
states, Bidirectional, TimeDistributed, Embedding and Masking; plus their error messages."""

import numpy as np
import pytest

from finite_differences import fd, fd_variable
import nbkeras
from nbkeras import layers, ops
from nbkeras.ops import rnn as rnn_ops
from nbkeras.ops.core import unwrap

pytestmark = pytest.mark.usefixtures("float64")


def rnd(*shape, seed=0, scale=1.0):
    return np.random.default_rng(seed).uniform(-1, 1, shape) * scale


def _flat(y):
    if isinstance(y, (list, tuple)):
        return [v for item in y for v in _flat(item)]
    return [y]


def check(forward, arrays, variables=(), rtol=1e-5):
    """forward(*tensors) -> output(s); checks d sum(out_i * R_i) against central differences
    for each array argument (watched) and each Variable."""
    outs = [unwrap(o) for o in _flat(forward(*arrays))]
    rs = np.random.default_rng(3)
    R = [rs.normal(size=o.shape) for o in outs]

    def loss_of(ys):
        return sum(ops.sum(ops.multiply(y, r)) for y, r in zip(_flat(ys), R))

    with ops.GradientTape() as tape:
        ts = [tape.watch(a.copy()) for a in arrays]
        loss = loss_of(forward(*ts))
    grads = tape.gradient(loss, ts + list(variables))
    bufs = [a.copy() for a in arrays]
    f = lambda: float(sum(np.sum(unwrap(y) * r) for y, r in zip(_flat(forward(*bufs)), R)))  # noqa: E731
    for i, b in enumerate(bufs):
        gn = fd(f, b)
        np.testing.assert_allclose(grads[i], gn, rtol=rtol, atol=rtol * max(1, np.abs(gn).max()),
                                   err_msg=f"argument {i}")
    for v, g in zip(variables, grads[len(arrays):]):
        gn = fd_variable(f, v)
        assert g is not None, v.path
        np.testing.assert_allclose(g, gn, rtol=rtol, atol=rtol * max(1, np.abs(gn).max()),
                                   err_msg=v.path)


N, T, D, U = 2, 4, 3, 3
X = rnd(N, T, D, seed=1, scale=1.5)
MASK = np.array([[1, 1, 0, 0], [0, 1, 1, 1]], bool)

CONFIGS = [
    ("SimpleRNN", {}),
    ("SimpleRNN", {"return_sequences": True, "go_backwards": True, "activation": "relu"}),
    ("LSTM", {}),
    ("LSTM", {"return_sequences": True, "return_state": True}),
    ("LSTM", {"go_backwards": True, "return_state": True, "recurrent_activation": "hard_sigmoid"}),
    ("LSTM", {"use_bias": False, "return_sequences": True}),
    ("GRU", {"return_sequences": True, "return_state": True}),
    ("GRU", {"reset_after": False, "return_sequences": True}),
    ("GRU", {"reset_after": False, "go_backwards": True, "return_state": True}),
]


@pytest.mark.parametrize("masked", [False, True], ids=["nomask", "mask"])
@pytest.mark.parametrize("cls,kw", CONFIGS, ids=[f"{c}-{i}" for i, (c, _) in enumerate(CONFIGS)])
def test_rnn_layers(cls, kw, masked):
    layer = getattr(layers, cls)(U, **kw)
    call = {"mask": MASK} if masked else {}
    layer(X, **call)
    check(lambda x: layer(x, **call), [X], layer.trainable_weights)


STEP_CONFIGS = [  # layers that run cell by cell (no fused kernel): gradients through ops
    ("lstm-softsign", lambda: layers.LSTM(U, activation="softsign", return_state=True)),
    ("gru-gelu-before", lambda: layers.GRU(U, activation="gelu", reset_after=False,
                                           return_sequences=True)),
    ("gru-elu-after-back", lambda: layers.GRU(U, activation="elu", go_backwards=True,
                                              return_state=True)),
    ("simple-selu", lambda: layers.SimpleRNN(U, activation="selu", return_sequences=True)),
    ("stacked", lambda: layers.RNN([layers.LSTMCell(U), layers.GRUCell(2)],
                                   return_sequences=True, return_state=True)),
    ("stacked-zero-output", lambda: layers.RNN(layers.StackedRNNCells(
        [layers.SimpleRNNCell(2), layers.LSTMCell(U)]), return_sequences=True,
        zero_output_for_mask=True, go_backwards=True)),
]


@pytest.mark.parametrize("masked", [False, True], ids=["nomask", "mask"])
@pytest.mark.parametrize("make", [m for _, m in STEP_CONFIGS], ids=[n for n, _ in STEP_CONFIGS])
def test_step_by_step_layers(make, masked):
    layer = make()
    call = {"mask": MASK} if masked else {}
    layer(X, **call)
    assert layer._fused() is None
    check(lambda x: layer(x, **call), [X], layer.trainable_weights)


def test_custom_cell_gradient_and_initial_state():
    class Minimal(layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units, self.state_size = units, units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                    name="recurrent_kernel")

        def call(self, inputs, states):
            h = ops.tanh(ops.matmul(inputs, self.kernel) +
                         ops.matmul(states[0], self.recurrent_kernel))
            return h, [h]

    layer = layers.RNN(Minimal(U), return_sequences=True, return_state=True)
    s0 = rnd(N, U, seed=11)
    layer(X)
    check(lambda x, s: layer(x, initial_state=[s], mask=MASK), [X, s0], layer.trainable_weights)


@pytest.mark.parametrize("cls", ["SimpleRNN", "LSTM", "GRU"])
def test_initial_state_gradient(cls):
    layer = getattr(layers, cls)(U, return_sequences=True, return_state=True)
    states = [rnd(N, U, seed=5 + i) for i in range(2 if cls == "LSTM" else 1)]
    layer(X)
    check(lambda x, *s: layer(x, initial_state=list(s)), [X] + states)


@pytest.mark.parametrize("kind,reset_after", [("simple", True), ("lstm", True), ("gru", True),
                                               ("gru", False)])
@pytest.mark.parametrize("per_gate", [False, True])
def test_dropout_masks(kind, reset_after, per_gate):
    """The op with fixed input / recurrent dropout masks (what the layers draw in training)."""
    g = {"simple": 1, "lstm": 4, "gru": 3}[kind]
    rs = np.random.default_rng(9)
    W, Uk = rnd(D, g * U, seed=2), rnd(U, g * U, seed=3)
    bias = rnd(2, g * U, seed=4) if kind == "gru" and reset_after else rnd(g * U, seed=4)
    draw = lambda *s: (rs.random(s) > 0.3) / 0.7  # noqa: E731
    if per_gate and kind != "simple":
        im, rm = [draw(N, D) for _ in range(g)], [draw(N, U) for _ in range(g)]
    else:
        im, rm = draw(N, D), [draw(N, U)]
    if kind != "simple" and not per_gate:
        rm = None  # Keras applies recurrent dropout per gate only
    s0 = [np.zeros((N, U))] * (2 if kind == "lstm" else 1)

    def fwd(x, w, u, b):
        out, states = rnn_ops.rnn(kind, x, w, u, b, s0, mask=MASK, input_masks=im,
                                  recurrent_masks=rm, reset_after=reset_after,
                                  return_sequences=True)
        return [out] + states

    check(fwd, [X, W, Uk, bias])


def test_zero_output_for_mask():
    layer = layers.LSTM(U, return_sequences=True, zero_output_for_mask=True)
    layer(X, mask=MASK)
    y = layer(X, mask=MASK)
    assert np.all(y[~MASK] == 0)
    check(lambda x: layer(x, mask=MASK), [X], layer.trainable_weights)


@pytest.mark.parametrize("mode", ["concat", "sum", "mul", "ave", None])
def test_bidirectional(mode):
    layer = layers.Bidirectional(layers.GRU(2, return_sequences=True), merge_mode=mode)
    layer(X, mask=MASK)
    check(lambda x: layer(x, mask=MASK), [X], layer.trainable_weights)


def test_time_distributed():
    layer = layers.TimeDistributed(layers.Dense(2, activation="tanh"))
    layer(X)
    check(lambda x: layer(x), [X], layer.trainable_weights)


def test_embedding_and_masking():
    emb = layers.Embedding(5, 3, mask_zero=True)
    idx = np.array([[1, 4, 0, 2], [3, 3, 1, 0]])
    lstm = layers.LSTM(2)
    emb(idx)
    lstm(emb(idx))
    check(lambda: lstm(emb(idx)), [], emb.trainable_weights + lstm.trainable_weights)
    m = layers.Masking(0.0)
    check(lambda t: m(t), [X])  # (a fully masked step is not differentiable in x)
    x = X.copy()
    x[0, 1] = 0.0
    assert np.array_equal(m.compute_mask(x, None), [[True, False, True, True], [True] * 4])
    assert np.all(np.asarray(m(x))[0, 1] == 0)


def test_mask_propagation_skips_padded_steps():
    """Padding with mask_zero leaves the LSTM output unchanged."""
    emb = layers.Embedding(6, 3, mask_zero=True)
    lstm = layers.LSTM(4)
    short = np.array([[1, 2, 3]])
    padded = np.array([[1, 2, 3, 0, 0]])
    a = np.asarray(lstm(emb(short)))
    b = np.asarray(lstm(emb(padded)))
    np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_array_equal(emb.compute_mask(padded), padded != 0)


def test_stateful_carries_state():
    layer = layers.LSTM(2, stateful=True)
    full = layers.LSTM(2)
    layer(X[:, :2])
    full(X)
    full.set_weights(layer.get_weights())
    layer.reset_state()
    layer(X[:, :2])
    y = layer(X[:, 2:])
    np.testing.assert_allclose(np.asarray(y), np.asarray(full(X)), rtol=1e-10)
    layer.reset_state()
    assert np.all(layer.states[0] == 0)


def test_stateful_model_with_a_fixed_batch_size_trains_from_zero_states():
    """Keras 2's `batch_input_shape`: fit checks each batch, not the whole data, against the
    fixed batch size, and the pass that sizes the metrics leaves the states at zero."""
    model = nbkeras.Sequential([layers.LSTM(3, batch_input_shape=(4, T, D), stateful=True),
                                layers.Dense(1)])
    model.compile("sgd", "mse")
    seen = []
    record = nbkeras.callbacks.LambdaCallback(on_train_batch_begin=lambda b, logs: seen.append(
        [np.array(s) for s in model.layers[0].states]))
    x = np.concatenate([X, X, X, X])[:8]
    model.fit(x, np.ones((8, 1)), batch_size=4, epochs=1, shuffle=False, verbose=0,
              callbacks=[record])
    assert all(np.all(s == 0) for s in seen[0])  # the first batch starts from zeros
    assert any(np.any(s != 0) for s in seen[1])  # the second from the first's final states
    # A short last batch: the stateful RNN refuses it, as Keras's does (the model's own input
    # check leaves the batch axis free, as Keras's functional input specs do).
    with pytest.raises(ValueError, match=r"Expected batch size: 4\n- Received batch size: 2"):
        model.fit(x[:6], np.ones((6, 1)), batch_size=4, verbose=0)


def test_bad_initial_states_and_cells_get_keras_style_errors():
    with pytest.raises(ValueError, match=r"\(batch_size, units\) = \(2, 3\).*initial_state\[0\]\.shape=\(2, 4\)"):
        layers.LSTM(3)(X, initial_state=[np.zeros((N, 4)), np.zeros((N, 3))])
    with pytest.raises(ValueError, match=r"initial_state\[1\]\.shape=\(3, 3\)"):
        layers.RNN(layers.LSTMCell(3))(X, initial_state=[np.zeros((N, 3)), np.zeros((3, 3))])

    class NoStates(layers.Layer):
        state_size = 3

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], 3))

        def call(self, inputs, states):
            return ops.matmul(inputs, self.w)  # forgot the states

    with pytest.raises(ValueError, match=r"must return a tuple `\(output, new_states\)`"):
        layers.RNN(NoStates())(X)
    with pytest.raises(ValueError, match="`call` method and a `state_size`"):
        layers.RNN(layers.Dense(2))


def test_dropout_in_training_only():
    layer = layers.GRU(3, dropout=0.5, recurrent_dropout=0.5, seed=1)
    a = np.asarray(layer(X))
    np.testing.assert_array_equal(a, np.asarray(layer(X)))
    assert not np.allclose(a, np.asarray(layer(X, training=True)))


def test_defaults_match_keras():
    layer = layers.LSTM(4)
    layer(X)
    b = layer.get_weights()[2]
    np.testing.assert_array_equal(b, np.r_[np.zeros(4), np.ones(4), np.zeros(8)])
    u = layer.get_weights()[1]
    assert type(layer.recurrent_initializer).__name__ == "Orthogonal"
    assert np.allclose(u @ u.T, np.eye(4), atol=1e-6)
    cfg = layer.get_config()
    assert cfg["activation"] == "tanh" and cfg["recurrent_activation"] == "sigmoid"
    assert layers.GRU(2).reset_after is True
    assert layers.Embedding(10, 2, input_length=5)(np.zeros((1, 5), int)).shape == (1, 5, 2)


# ------------------------------------------------------------------------- errors
def test_embedding_index_errors():
    emb = layers.Embedding(4, 2)
    with pytest.raises(IndexError, match=r"index 4.*input_dim=4"):
        emb(np.array([[0, 4]]))
    with pytest.raises(IndexError, match=r"index -1.*input_dim=4"):
        emb(np.array([[-1, 0]]))
    with pytest.raises(ValueError, match="input_dim"):
        layers.Embedding(0, 2)


def test_rnn_errors():
    with pytest.raises(ValueError, match="units"):
        layers.LSTM(0)
    with pytest.raises(ValueError, match="nope"):
        layers.LSTM(2, activation="nope")
    with pytest.raises(ValueError, match="dropout"):
        layers.GRU(2, dropout=1.5)
    with pytest.raises(ValueError, match="ndim=3"):
        layers.LSTM(2)(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="initial state"):
        layers.LSTM(2)(X, initial_state=[np.zeros((N, 2))])
    with pytest.raises(ValueError, match="merge mode"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="recurrent"):
        layers.Bidirectional(layers.Dense(2))
    with pytest.raises(ValueError, match="at least 3"):
        layers.TimeDistributed(layers.Dense(2))(np.zeros((2, 3)))
    stateful = layers.SimpleRNN(2, stateful=True)
    stateful(X)
    with pytest.raises(ValueError, match="batch size"):
        stateful(X[:1])


# ------------------------------------------------------- normalization and noise layers
@pytest.mark.parametrize("make", [
    lambda: layers.LayerNormalization(),
    lambda: layers.LayerNormalization(axis=[1, 2], rms_scaling=True),
    lambda: layers.LayerNormalization(axis=1, center=False),
    lambda: layers.GroupNormalization(groups=3),
    lambda: layers.GroupNormalization(groups=2, axis=1),
    lambda: layers.UnitNormalization(),
    lambda: layers.UnitNormalization(axis=[1, 2]),
], ids=["ln", "ln_rms", "ln_axis1", "gn", "gn_axis1", "unit", "unit_axes"])
def test_normalization_layers(make):
    layer = make()
    layer(X)
    check(lambda x: layer(x), [X], layer.trainable_weights)


def test_noise_layers_gradients_with_fixed_seed():
    for layer, x in ((layers.SpatialDropout1D(0.4, seed=3), X),
                     (layers.SpatialDropout2D(0.4, seed=3), X.reshape(N, 2, 2, D)),
                     (layers.GaussianNoise(0.3, seed=3), X),
                     (layers.GaussianDropout(0.3, seed=3), X)):
        state = layer._rng.bit_generator.state

        def fwd(t, layer=layer, state=state):
            layer._rng.bit_generator.state = state  # the same noise on every call
            return layer(t, training=True)

        check(fwd, [x])
        np.testing.assert_array_equal(np.asarray(layer(x)), x)  # identity at inference


def test_spatial_dropout_drops_whole_channels():
    y = np.asarray(layers.SpatialDropout1D(0.5, seed=0)(np.ones((4, 6, 8)), training=True))
    assert np.all((y == 0) | (y == 2)) and np.all(y.std(axis=1) == 0)
    y = np.asarray(layers.SpatialDropout2D(0.5, seed=0)(np.ones((4, 3, 3, 8)), training=True))
    assert np.all(y.std(axis=(1, 2)) == 0) and 0 < (y == 0).mean() < 1


def test_gaussian_layer_statistics():
    x = np.ones((400, 50))
    y = np.asarray(layers.GaussianNoise(0.5, seed=1)(x, training=True))
    assert abs(y.mean() - 1) < 0.02 and abs(y.std() - 0.5) < 0.02
    y = np.asarray(layers.GaussianDropout(0.2, seed=1)(x, training=True))
    assert abs(y.mean() - 1) < 0.02 and abs(y.std() - 0.5) < 0.02  # sqrt(0.2 / 0.8)


def test_activity_regularization_adds_the_penalty():
    model = nbkeras.Sequential([nbkeras.Input((3,)), layers.ActivityRegularization(l1=0.1, l2=0.2)])
    x = rnd(4, 3, seed=8)
    model(x)
    expected = (0.1 * np.abs(x).sum() + 0.2 * (x ** 2).sum()) / 4
    np.testing.assert_allclose(float(unwrap(sum(model.losses))), expected, rtol=1e-10)


def test_normalization_errors():
    with pytest.raises(ValueError, match="more than the number of channels"):
        layers.GroupNormalization(groups=8)(X)
    with pytest.raises(ValueError, match="multiple"):
        layers.GroupNormalization(groups=2)(X)
    with pytest.raises(ValueError, match="Invalid axis"):
        layers.LayerNormalization(axis=5)(X)
    with pytest.raises(ValueError, match="rate"):
        layers.GaussianDropout(2.0)
    with pytest.raises(ValueError, match="ndim=3"):
        layers.SpatialDropout1D(0.5)(np.ones((2, 3)), training=True)


def test_bidirectional_over_an_unregistered_custom_cell():
    """Bidirectional copies its layer through the config; a custom cell's class travels
    with it (Keras 3.15 fails here), and the copy's gradients are right."""
    class Tiny(layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units, self.state_size = units, units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units), name="w")

        def call(self, inputs, states):
            h = ops.tanh(ops.matmul(inputs, self.w) + states[0])
            return h, [h]

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    bi = layers.Bidirectional(layers.RNN([Tiny(2), Tiny(U)], return_sequences=True))
    y = bi(X, mask=MASK)
    assert y.shape == (N, T, 2 * U)
    assert bi.backward_layer.go_backwards and not bi.forward_layer.go_backwards
    assert isinstance(bi.backward_layer.cell.cells[0], Tiny)
    assert bi.forward_layer.cell.cells[0] is not bi.backward_layer.cell.cells[0]
    check(lambda x: bi(x, mask=MASK), [X], bi.trainable_weights)
