"""Keras 3 parity gaps around the model contract: metrics' stateless methods,
`Functional.input_shape`/`output_shape`, the input-rank adjustment, `Variable`
initializers, dict outputs of `predict`, Keras 2's `Embedding(input_length=...)` and
NumPy 2's `__array__(dtype, copy)` protocol."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers

RNG = np.random.RandomState(1)


# ------------------------------------------------------------ stateless metrics
def _metric_cases():
    y_bin = RNG.randint(0, 2, (12, 1)).astype("float32")
    p_bin = RNG.rand(12, 1).astype("float32")
    y_cls = RNG.randint(0, 3, (12,))
    p_cls = RNG.dirichlet(np.ones(3), 12).astype("float32")
    return [
        (keras.metrics.Mean, [(RNG.rand(5).astype("float32"),), (np.float32(3.0),)]),
        (keras.metrics.SparseCategoricalAccuracy, [(y_cls[:6], p_cls[:6]), (y_cls[6:], p_cls[6:])]),
        (keras.metrics.AUC, [(y_bin[:6], p_bin[:6]), (y_bin[6:], p_bin[6:])]),
        (keras.metrics.Precision, [(y_bin[:6], p_bin[:6]), (y_bin[6:], p_bin[6:])]),
        (keras.metrics.MeanSquaredError, [(p_bin[:6], p_bin[6:]), (y_bin[:6], p_bin[:6])]),
    ]


@pytest.mark.parametrize("cls,batches", _metric_cases(), ids=lambda v: getattr(v, "__name__", ""))
def test_stateless_methods_match_the_stateful_ones_and_leave_the_state_alone(cls, batches):
    stateful, stateless = cls(), cls()
    stateless.update_state(*batches[0])  # its own state must survive the stateless calls
    own = [np.array(v) for v in stateless.variables]
    state = stateless.stateless_reset_state()
    assert all(np.all(s == 0) for s in state) or cls is keras.metrics.AUC
    for batch in batches:
        stateful.update_state(*batch)
        state = stateless.stateless_update_state(state, *batch)
        np.testing.assert_allclose(stateless.stateless_result(state), stateful.result(),
                                   rtol=1e-6)
        for got, want in zip(state, stateful.variables):
            np.testing.assert_array_equal(got, np.asarray(want))
    for got, want in zip(stateless.variables, own):
        np.testing.assert_array_equal(np.asarray(got), want)


def test_stateless_methods_reject_a_state_of_the_wrong_length():
    m = keras.metrics.Mean()
    with pytest.raises(ValueError, match=r"1:1 to Mean\(\).variables.*length 1.*expected 2"):
        m.stateless_update_state([np.float32(0)], [1.0])
    with pytest.raises(ValueError, match="Received"):
        m.stateless_result([])


# ----------------------------------------------------- functional shapes, ranks
def test_functional_input_and_output_shape():
    a, b = keras.Input((4,)), keras.Input((2, 3))
    x = layers.Dense(5)(a)
    single = keras.Model(a, x)
    assert single.input_shape == (None, 4) and single.output_shape == (None, 5)
    multi = keras.Model([a, b], [x, layers.Flatten()(b)])
    assert multi.input_shape == [(None, 4), (None, 2, 3)]
    assert multi.output_shape == [(None, 5), (None, 6)]


def _conv_model(sequential):
    if sequential:
        return keras.Sequential([keras.Input((6, 6, 1)), layers.Conv2D(2, 3),
                                 layers.Flatten(), layers.Dense(1)])
    inputs = keras.Input((6, 6, 1))
    return keras.Model(inputs, layers.Dense(1)(layers.Flatten()(layers.Conv2D(2, 3)(inputs))))


@pytest.mark.parametrize("sequential", [False, True], ids=["functional", "sequential"])
def test_data_missing_a_trailing_axis_of_one_is_expanded_as_keras_does(sequential):
    x = RNG.rand(10, 6, 6).astype("float32")
    y = RNG.rand(10, 1).astype("float32")
    models, init = [], None
    for data in (x, x[..., None]):
        keras.utils.clear_session()
        model = _conv_model(sequential)
        init = model.get_weights() if init is None else init
        model.set_weights(init)
        model.compile(optimizer="sgd", loss="mse")
        history = model.fit(data, y, epochs=2, batch_size=5, shuffle=False, verbose=0)
        models.append((model, history.history["loss"], model.predict(data, verbose=0),
                       model.evaluate(data, y, verbose=0)))
    (m0, h0, p0, e0), (m1, h1, p1, e1) = models
    np.testing.assert_allclose(h0, h1, rtol=1e-6)
    np.testing.assert_allclose(p0, p1, rtol=1e-6)
    assert e0 == pytest.approx(e1, rel=1e-6)
    np.testing.assert_allclose(m0(x), m0(x[..., None]), rtol=1e-6)


def test_an_extra_trailing_axis_of_one_is_squeezed():
    inputs = keras.Input((5,))
    model = keras.Model(inputs, layers.Dense(2)(inputs))
    x = RNG.rand(3, 5).astype("float32")
    np.testing.assert_allclose(model.predict(x[..., None], verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_other_ranks_still_get_a_keras_error():
    model = _conv_model(False)
    with pytest.raises(ValueError, match=r"expected ndim=4, found ndim=2.*Received: x.shape=\(4, 6\)"):
        model.predict(RNG.rand(4, 6).astype("float32"), verbose=0)
    with pytest.raises(ValueError, match="Received: x.shape"):
        model.predict(RNG.rand(4, 6, 6, 2).astype("float32"), verbose=0)


# --------------------------------------------------------------------- Variable
def test_variable_from_an_initializer_name_callable_or_object():
    v = keras.Variable(initializer="ones", shape=(2, 3), dtype="float32", trainable=False,
                       name="scale")
    np.testing.assert_array_equal(v.numpy(), np.ones((2, 3)))
    assert (v.name, v.trainable, v.dtype) == ("scale", False, np.float32)
    keras.utils.set_random_seed(3)
    g = keras.Variable(keras.initializers.GlorotUniform(seed=1), shape=(4, 4))
    np.testing.assert_array_equal(g.numpy(), keras.initializers.GlorotUniform(seed=1)((4, 4)))
    c = keras.Variable(lambda shape, dtype: np.full(shape, 2.0, dtype), shape=(3,))
    np.testing.assert_array_equal(c.numpy(), [2.0, 2.0, 2.0])
    z = keras.Variable(initializer="zeros", shape=(), dtype="int32")
    assert z.dtype == np.int32 and z.numpy() == 0
    with pytest.raises(ValueError, match="`shape` argument should be specified.*shape=None"):
        keras.Variable("zeros")


def test_np_array_of_a_variable_is_a_snapshot():
    v = keras.Variable(np.zeros(3, "float32"))
    snapshot = np.array(v)
    as_float64 = np.array(v, dtype="float64")
    v.assign([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(snapshot, [0.0, 0.0, 0.0])
    assert as_float64.dtype == np.float64 and not as_float64.any()
    assert np.shares_memory(np.asarray(v), v.numpy())  # asarray may share, as NumPy allows
    with pytest.raises(ValueError, match="copy"):
        np.array(v, dtype="float64", copy=False)


# ----------------------------------------------------------- predict dict, Embedding
def test_predict_of_a_dict_output_model_returns_a_dict():
    inputs = keras.Input((4,))
    h = layers.Dense(3)(inputs)
    model = keras.Model(inputs, {"score": layers.Dense(1)(h), "logits": layers.Dense(2)(h)})
    x = RNG.rand(10, 4).astype("float32")
    out = model.predict(x, batch_size=4, verbose=0)
    assert isinstance(out, dict) and list(out) == ["score", "logits"]
    direct = model(x)
    for k in out:
        np.testing.assert_allclose(out[k], direct[k], rtol=1e-6)
    assert model.predict_on_batch(x)["logits"].shape == (10, 2)


def test_embedding_input_length_builds_a_sequential_as_keras_2_did():
    keras.utils.clear_session()
    model = keras.Sequential([layers.Embedding(20, 4, input_length=5), layers.Flatten(),
                              layers.Dense(1)])
    assert model.built and model.input_shape == (None, 5) and model.output_shape == (None, 1)
    weights = model.get_weights()
    assert [w.shape for w in weights] == [(20, 4), (20, 1), (1,)]
    model.set_weights([w + 1 for w in weights])
    np.testing.assert_array_equal(model.get_weights()[0], weights[0] + 1)
    assert layers.Embedding(20, 4, input_length=5).get_config().get("input_length") is None
