"""get_config/from_config round-trips and float64 training."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers

LAYERS = [
    lambda: layers.Dense(4, activation="relu", use_bias=False, kernel_initializer="he_normal",
                         kernel_regularizer=keras.regularizers.l2(0.01),
                         kernel_constraint=keras.constraints.MaxNorm(2.0), name="d"),
    lambda: layers.Activation("tanh"),
    lambda: layers.Dropout(0.3, noise_shape=(None, 1), seed=3),
    lambda: layers.BatchNormalization(momentum=0.9, epsilon=1e-4, center=False),
    lambda: layers.Flatten(),
    lambda: layers.Reshape((2, 2)),
]


@pytest.mark.parametrize("make", LAYERS, ids=["dense", "activation", "dropout", "batchnorm",
                                                "flatten", "reshape"])
def test_layer_config_roundtrip(make):
    layer = make()
    cfg = layer.get_config()
    clone = type(layer).from_config(cfg)
    assert clone.get_config() == cfg
    assert cfg["name"] == layer.name
    assert cfg["dtype"]["config"]["name"] == "float32"


def test_serialize_deserialize_layer():
    layer = layers.Dense(3, activation="sigmoid")
    again = layers.deserialize(layers.serialize(layer))
    assert isinstance(again, layers.Dense)
    assert again.units == 3 and again.activation is keras.activations.sigmoid


def test_sequential_config_roundtrip_predicts_the_same():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="relu"), layers.Dense(2)])
    clone = keras.Sequential.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    x = np.random.rand(5, 4).astype("float32")
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    assert [l.name for l in clone.layers] == [l.name for l in model.layers]


def test_optimizer_config_roundtrip_keeps_keras2_decay():
    opt = keras.optimizers.SGD(lr=0.1, momentum=0.5, nesterov=True)
    again = keras.optimizers.SGD.from_config(opt.get_config())
    assert again.momentum == 0.5 and again.nesterov
    assert float(again.learning_rate.numpy()) == pytest.approx(0.1)
    decayed = keras.optimizers.Adam(lr=0.01, decay=0.5)
    assert float(decayed.learning_rate) == pytest.approx(0.01)
    decayed.apply([np.ones(2, "float32")], [keras.Variable(np.zeros(2))])
    assert float(decayed.learning_rate) == pytest.approx(0.01 / 1.5)


def test_float64_training(float64):
    x = np.random.rand(32, 3)
    y = (x.sum(axis=1) > 1.5).astype("float64")
    model = keras.Sequential([keras.Input((3,)), layers.Dense(8, activation="tanh"),
                              layers.BatchNormalization(), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    hist = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert all(w.dtype == np.float64 for w in model.get_weights())
    assert model.predict(x, verbose=0).dtype == np.float64
    assert np.isfinite(hist.history["loss"]).all()
