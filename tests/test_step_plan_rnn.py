"""The replayed training step and forward plan of recurrent models: every weight, loss and
prediction bit-identical to the tape step (SimpleRNN, LSTM, GRU with both reset-gate
placements, stacks returning sequences, go_backwards, states returned, RNN over a built-in
cell, Bidirectional with every merge mode), over the golden RNN training cases too; and the
tape path, with its reason, for what is not static (dropout, stateful, a cell run step by
step, Keras masks)."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers

import test_parity_rnn as rnn_golden
from test_forward_plan import _both
from test_step_plan import _fit_both, _twice, assert_identical, replays  # noqa: F401

SHAPE = (7, 3)


def _sequences(n=32, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n,) + SHAPE).astype("float32")
    return x, rng.normal(size=(n, 2)).astype("float32")


def _sequential(body, optimizer="adam"):
    def make():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([layers.Input(SHAPE)] + body() +
                                 [layers.Flatten(), layers.Dense(2)])
        model.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
        return model
    return make


def _with_states():
    """A functional model reading an LSTM's final states (return_state) and feeding a GRU
    its initial state."""
    keras.utils.set_random_seed(0)
    inp = keras.Input(SHAPE)
    seq, h, c = layers.LSTM(4, return_sequences=True, return_state=True)(inp)
    g = layers.GRU(4, go_backwards=True)(seq, initial_state=[h])
    out = layers.Dense(2)(layers.Concatenate()([g, h, c]))
    model = keras.Model(inp, out)
    model.compile(optimizer="adam", loss="mse")
    return model


MODELS = {
    "simple": _sequential(lambda: [layers.SimpleRNN(5)]),
    "simple_relu_no_bias": _sequential(lambda: [layers.SimpleRNN(
        4, activation="relu", use_bias=False, return_sequences=True)]),
    "lstm": _sequential(lambda: [layers.LSTM(5)], optimizer="sgd"),
    "gru_reset_after": _sequential(lambda: [layers.GRU(4)]),
    "gru_reset_before": _sequential(lambda: [layers.GRU(4, reset_after=False)]),
    "stack": _sequential(lambda: [
        layers.LSTM(4, return_sequences=True), layers.GRU(3, return_sequences=True),
        layers.SimpleRNN(3, go_backwards=True, return_sequences=True),
        layers.GRU(3, reset_after=False, go_backwards=True)]),
    "rnn_over_cell": _sequential(lambda: [layers.RNN(layers.LSTMCell(4), go_backwards=True,
                                                     return_sequences=True)]),
    "bidirectional": _sequential(lambda: [
        layers.Bidirectional(layers.LSTM(3, return_sequences=True)),
        layers.Bidirectional(layers.GRU(3, return_sequences=True), merge_mode="sum"),
        layers.Bidirectional(layers.SimpleRNN(3, return_sequences=True), merge_mode="ave"),
        layers.Bidirectional(layers.GRU(2, reset_after=False), merge_mode="mul")]),
    "states": _with_states,
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_rnn_models_replay_bit_identical(name, replays):
    model, n = _fit_both(MODELS[name], replays, data=_sequences(), batch_size=8, epochs=1)
    assert n == 2 and model._step_path == "replay", model._step_path


@pytest.mark.parametrize("name", sorted(MODELS))
def test_rnn_models_predict_on_a_forward_plan_bit_identical(name):
    model = MODELS[name]()
    x, y = _sequences(24)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert _both(model, x, y, batch_size=8) == "replay"


def test_a_replayed_lstm_keeps_predicting_the_tape_numbers(replays):
    """A replayed step leaves the weights predict reads (and its forward plan) as the tape's."""
    def run():
        model = MODELS["stack"]()
        x, y = _sequences()
        model.fit(x, y, batch_size=8, epochs=2, verbose=0)
        return model.predict(x, batch_size=8, verbose=0), model.get_weights()
    fast, tape, n = _twice(run, replays)
    assert_identical(fast, tape)
    assert n == 6


@pytest.mark.parametrize("body, reason", [
    (lambda: [layers.LSTM(4, dropout=0.2)], "draws its dropout masks in Python"),
    (lambda: [layers.GRU(4, recurrent_dropout=0.2)], "draws its dropout masks in Python"),
    (lambda: [layers.Bidirectional(layers.SimpleRNN(3, dropout=0.1))],
     "draws its dropout masks in Python"),
    (lambda: [layers.SimpleRNN(4, activation="softplus")], "runs its cell step by step"),
    (lambda: [layers.RNN([layers.GRUCell(3), layers.GRUCell(2)])], "runs its cell step by step"),
], ids=["dropout", "recurrent_dropout", "bidirectional_dropout", "own_activation",
        "stacked_cells"])
def test_what_is_not_static_takes_the_tape_path(body, reason, replays):
    model, n = _fit_both(_sequential(body), replays, data=_sequences(), batch_size=8,
                         epochs=1)
    assert n == 0 and reason in model._step_path, model._step_path


def test_keras_masks_take_the_tape_path(replays):
    def make():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([layers.Input((7,), dtype="int32"),
                                  layers.Embedding(5, 3, mask_zero=True), layers.LSTM(4),
                                  layers.Dense(2)])
        model.compile(optimizer="adam", loss="mse")
        return model
    x = np.random.default_rng(0).integers(0, 5, size=(32, 7))
    model, n = _fit_both(make, replays, data=(x, _sequences()[1]), batch_size=8, epochs=1)
    # (the mask is an input of the recurrent op that no traced op made)
    assert n == 0 and model._step_path.startswith("tape: "), model._step_path
    model.predict(x, batch_size=8, verbose=0)
    model.predict(x, batch_size=8, verbose=0)
    assert model._predict_path.startswith("direct: "), model._predict_path


def test_a_stateful_rnn_takes_the_tape_path(replays):
    def make():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([layers.Input(SHAPE, batch_size=8),
                                  layers.LSTM(4, stateful=True), layers.Dense(2)])
        model.compile(optimizer="adam", loss="mse")
        return model
    model, n = _fit_both(make, replays, data=_sequences(), batch_size=8, epochs=1,
                         shuffle=False)
    assert n == 0 and "is stateful" in model._step_path, model._step_path


def test_dropout_replays_at_inference():
    """Dropout draws only in training: predict and evaluate still replay a forward plan."""
    model = _sequential(lambda: [layers.GRU(4, dropout=0.3, recurrent_dropout=0.2)])()
    x, y = _sequences(24)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert _both(model, x, y, batch_size=8) == "replay"


@pytest.mark.parametrize("case, build, batch, key", rnn_golden.TRAJECTORIES,
                         ids=[t[0]["id"] for t in rnn_golden.TRAJECTORIES])
def test_rnn_training_goldens_bit_identical(case, build, batch, key, replays):
    A = rnn_golden.A

    def run():
        model = build(keras)
        model.set_weights([A[k] for k in case["weights"]])
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05), loss="mse")
        hist = model.fit(A[case["input"]], A[case["target"]], batch_size=batch, epochs=4,
                         shuffle=False, verbose=0)
        return hist.history["loss"], model.get_weights(), model._step_path
    fast, tape, n = _twice(run, replays)
    assert_identical(fast[:2], tape[:2])
    if key == "losses":  # the fused LSTM (the cell models run their cells step by step)
        assert n > 0 and fast[2] == "replay", fast[2]


def test_dropout_turned_on_between_fits_takes_the_tape_numbers(replays):
    """The masks drawn in Python are bound in the op's closure: two traces differ, so the
    step goes back to the tape (with its numbers)."""
    def run():
        model = MODELS["lstm"]()
        x, y = _sequences()
        model.fit(x, y, batch_size=8, epochs=1, verbose=0)
        model.layers[0].cell.dropout = 0.3
        model.fit(x, y, batch_size=8, epochs=1, verbose=0)
        return model.get_weights(), model._step_path.startswith("tape: ")
    fast, tape, n = _twice(run, replays)
    assert_identical(fast, tape)
    assert n == 2 and fast[1]


def test_only_a_taped_call_keeps_its_buffers_for_a_backward_pass(monkeypatch):
    """A replayed training step keeps the last forward's buffers (H, the gates) for its
    backward pass; predict's forward plan, which no backward pass follows, keeps none."""
    import gc
    import weakref

    from nbkeras.ops import rnn as rnn_ops

    kept = []
    sequence = rnn_ops._sequence

    def watched(*args):
        out, back = sequence(*args)
        kept.append(weakref.ref(back))
        return out, back

    monkeypatch.setattr(rnn_ops, "_sequence", watched)
    model = MODELS["lstm"]()
    x, y = _sequences()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert model._step_path == "replay"
    fitted = len(kept)
    for _ in range(3):
        model.predict(x, batch_size=8, verbose=0)
    assert model._predict_path == "replay" and len(kept) == fitted + 12
    gc.collect()
    alive = [r() is not None for r in kept]
    assert alive == [False] * (fitted - 1) + [True] + [False] * 12
