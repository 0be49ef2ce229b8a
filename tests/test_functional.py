"""Functional models: graphs, nesting, shared layers, multi-output training and graph errors."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers


def _two_output_model():
    inp = keras.Input((6,))
    x = layers.Dense(8, activation="relu")(inp)
    o1 = layers.Dense(1, activation="sigmoid", name="dense_1")(x)
    o2 = layers.Dense(1, activation="sigmoid", name="dense_2")(x)
    return keras.Model(inp, [o1, o2])


def test_model_returns_functional_with_keras_names():
    model = _two_output_model()
    assert isinstance(model, keras.models.Functional)
    assert model.name == "functional"
    assert [l.name for l in model.layers] == ["input_layer", "dense", "dense_1", "dense_2"]
    assert model.output_names == ["dense_1", "dense_2"]
    assert model.get_layer("dense").output.shape == (None, 8)
    assert model.get_layer(index=0).name == "input_layer"


def test_multi_output_training_with_dicts():
    model = _two_output_model()
    model.compile(optimizer="adam",
                  loss={"dense_1": "binary_crossentropy", "dense_2": "binary_crossentropy"},
                  loss_weights={"dense_1": 0.3, "dense_2": 0.7},
                  metrics={"dense_1": "accuracy", "dense_2": "accuracy"})
    x = np.random.rand(40, 6).astype("float32")
    y1 = np.random.randint(2, size=40)
    y2 = np.random.randint(2, size=40)
    hist = model.fit(x, {"dense_1": y1, "dense_2": y2}, epochs=2, verbose=0, validation_split=0.25)
    # Keras sorts log keys; validation keys follow the training keys.
    assert list(hist.history) == [
        "dense_1_accuracy", "dense_1_loss", "dense_2_accuracy", "dense_2_loss", "loss",
        "val_dense_1_accuracy", "val_dense_1_loss", "val_dense_2_accuracy", "val_dense_2_loss",
        "val_loss"]
    total, l1, l2, a1, a2 = model.evaluate(x, [y1, y2], verbose=0)
    np.testing.assert_allclose(total, 0.3 * l1 + 0.7 * l2, rtol=1e-5)
    p1, p2 = model.predict(x, verbose=0)
    np.testing.assert_allclose(l1, keras.losses.BinaryCrossentropy()(y1, p1), rtol=1e-5)
    assert 0 <= a1 <= 1 and 0 <= a2 <= 1


def test_loss_dict_with_unknown_key_lists_output_names():
    model = _two_output_model()
    model.compile(optimizer="adam", loss={"dense_9": "mse"})
    with pytest.raises(ValueError, match=r"dense_9.*\['dense_1', 'dense_2'\]"):
        model.fit(np.zeros((4, 6)), [np.zeros(4), np.zeros(4)], verbose=0)


def test_nested_models_and_shared_layers():
    inner = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="tanh")])
    shared = layers.Dense(2)
    a, b = keras.Input((4,)), keras.Input((4,))
    out = layers.Add()([shared(inner(a)), shared(inner(b))])
    model = keras.Model([a, b], out)
    xa, xb = np.random.rand(5, 4), np.random.rand(5, 4)
    expected = shared(inner(xa)) + shared(inner(xb))
    np.testing.assert_allclose(model.predict([xa, xb], verbose=0), expected, rtol=1e-6)
    assert len(model.trainable_weights) == 4


def test_sequential_wraps_a_functional_model():
    base = _two_output_model()
    single = keras.Model(base.input, base.outputs[0])
    model = keras.Sequential([keras.Input((6,)), single, layers.Dropout(0.2)])
    model.compile("adam", "binary_crossentropy")
    model.fit(np.random.rand(8, 6), np.random.randint(2, size=8), epochs=1, verbose=0)
    assert model.predict(np.zeros((3, 6)), verbose=0).shape == (3, 1)


def test_feature_extraction_model_shares_weights():
    model = _two_output_model()
    features = keras.Model(model.inputs, model.get_layer("dense").output)
    x = np.random.rand(3, 6)
    kernel, bias = model.get_layer("dense").get_weights()
    np.testing.assert_allclose(features.predict(x, verbose=0), np.maximum(x @ kernel + bias, 0),
                               rtol=1e-5, atol=1e-6)


def test_disconnected_graph_names_the_missing_input():
    a, b = keras.Input((3,), name="a"), keras.Input((3,), name="b")
    out = layers.Dense(1)(keras.layers.Lambda(lambda t: t[0] + t[1])([a, b]))
    with pytest.raises(ValueError, match="Graph disconnected.*'b'"):
        keras.Model(a, out)


def test_lambda_slicing_in_a_graph():
    inp = keras.Input((5, 3))
    last = layers.Lambda(lambda x: x[:, -1, :])(inp)
    assert last.shape == (None, 3)
    model = keras.Model(inp, layers.Dense(2)(last))
    assert model.predict(np.zeros((4, 5, 3)), verbose=0).shape == (4, 2)


@pytest.mark.parametrize("layer,fn", [
    (layers.Add, lambda a, b: a + b), (layers.Subtract, lambda a, b: a - b),
    (layers.Multiply, lambda a, b: a * b), (layers.Average, lambda a, b: (a + b) / 2),
    (layers.Maximum, np.maximum), (layers.Minimum, np.minimum),
])
def test_merge_layers(layer, fn):
    a, b = keras.Input((3,)), keras.Input((3,))
    model = keras.Model([a, b], layer()([a, b]))
    xa, xb = np.random.rand(4, 3), np.random.rand(4, 3)
    np.testing.assert_allclose(model.predict([xa, xb], verbose=0), fn(xa, xb), rtol=1e-6)


def test_concatenate_and_dot():
    a, b = keras.Input((3,)), keras.Input((2,))
    cat = layers.concatenate([a, b])
    assert cat.shape == (None, 5)
    xa, xb = np.random.rand(4, 3), np.random.rand(4, 3)
    d = layers.Dot(axes=1)([xa, xb])
    np.testing.assert_allclose(d, (xa * xb).sum(axis=1, keepdims=True), rtol=1e-6)
    dn = layers.Dot(axes=1, normalize=True)([xa, xb])
    cos = (xa * xb).sum(1) / np.linalg.norm(xa, axis=1) / np.linalg.norm(xb, axis=1)
    np.testing.assert_allclose(dn[:, 0], cos, rtol=1e-5)


def test_merge_of_incompatible_shapes_names_both():
    with pytest.raises(ValueError, match=r"\(None, 3\).*\(None, 4\)"):
        layers.Add()([keras.Input((3,)), keras.Input((4,))])
    with pytest.raises(ValueError, match=r"\(None, 3\).*\(None, 4\)"):
        layers.Dot(axes=1)([keras.Input((3,)), keras.Input((4,))])


def test_subclassed_model_trains_and_names_itself():
    class TwoLayer(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.hidden = layers.Dense(8, activation="relu")
            self.out = layers.Dense(1)

        def call(self, x, training=None):
            return self.out(self.hidden(x))

    model = TwoLayer()
    assert model.name == "two_layer"
    model.compile("adam", "mse")
    x = np.random.rand(32, 3).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    hist = model.fit(x, y, epochs=20, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    assert len(model.trainable_weights) == 4
    assert [l.name for l in model.layers] == ["dense", "dense_1"]


def test_lambda_output_shape_tuple_and_callable():
    inp = keras.Input((4,))
    fixed = layers.Lambda(lambda x: keras.ops.concatenate([x, x], axis=-1), output_shape=(8,))(inp)
    assert fixed.shape == (None, 8)
    computed = layers.Lambda(lambda x: x[:, :2], output_shape=lambda s: (s[0], 2))(inp)
    assert computed.shape == (None, 2)
    model = keras.Model(inp, [fixed, computed])
    a, b = model.predict(np.ones((3, 4)), verbose=0)
    assert a.shape == (3, 8) and b.shape == (3, 2)


def test_layer_input_output_and_model_io():
    model = _two_output_model()
    dense = model.get_layer("dense")
    assert dense.input is model.inputs[0]
    assert dense.output.shape == (None, 8)
    assert [t.shape for t in model.outputs] == [(None, 1), (None, 1)]
    with pytest.raises(ValueError, match="No such layer"):
        model.get_layer("nope")
