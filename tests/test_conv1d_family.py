"""Keras 3's alias names of layers, `Identity`, and the 1-D reshaping layers' exact values.

Forward outputs, configs and shapes against real Keras are in test_parity_conv.py, gradients
in test_conv_grad.py, errors in test_conv_errors.py; Keras-written files of the 1-D layers
load in test_saving.py (fixture `conv1d_layers`).
"""

import json

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers
from nbkeras.layers.layer import get_mask

# Keras 3's `keras.layers` aliases and the classes they name.
ALIASES = {
    "Convolution1D": "Conv1D", "Convolution2D": "Conv2D",
    "Convolution1DTranspose": "Conv1DTranspose", "Convolution2DTranspose": "Conv2DTranspose",
    "SeparableConvolution1D": "SeparableConv1D", "SeparableConvolution2D": "SeparableConv2D",
    "MaxPool1D": "MaxPooling1D", "MaxPool2D": "MaxPooling2D",
    "AvgPool1D": "AveragePooling1D", "AvgPool2D": "AveragePooling2D",
    "GlobalMaxPool1D": "GlobalMaxPooling1D", "GlobalMaxPool2D": "GlobalMaxPooling2D",
    "GlobalAvgPool1D": "GlobalAveragePooling1D", "GlobalAvgPool2D": "GlobalAveragePooling2D",
}


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_alias_is_the_canonical_class(alias):
    cls = getattr(layers, alias)
    assert cls is getattr(layers, ALIASES[alias])
    assert cls.__name__ == ALIASES[alias]
    assert alias in layers.__all__
    assert ALIASES[alias] in layers._classes() and alias not in layers._classes()


def _alias_model():
    return keras.Sequential([
        keras.Input((8, 8, 2)),
        layers.Convolution2D(3, 3, padding="same", activation="relu"),
        layers.SeparableConvolution2D(4, 2),
        layers.Convolution2DTranspose(2, 2, strides=2),
        layers.MaxPool2D(),
        layers.AvgPool2D(2, strides=1),
        layers.Reshape((36, 2)),
        layers.Convolution1D(3, 3),
        layers.Convolution1DTranspose(2, 2),
        layers.SeparableConvolution1D(2, 3),
        layers.MaxPool1D(),
        layers.AvgPool1D(2),
        layers.GlobalAvgPool1D(),
    ], name="aliases")


def test_alias_model_round_trips_and_saves_canonical_names(tmp_path):
    keras.utils.set_random_seed(1)
    model = _alias_model()
    x = np.random.default_rng(0).normal(size=(3, 8, 8, 2)).astype("float32")
    model.save(tmp_path / "a.keras")
    loaded = keras.models.load_model(tmp_path / "a.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert [type(l) for l in loaded.layers] == [type(l) for l in model.layers]
    names = [l["class_name"] for l in json.loads(model.to_json())["config"]["layers"]]
    assert "Conv2D" in names and "MaxPooling1D" in names and "GlobalAveragePooling1D" in names
    assert not set(names) & set(ALIASES)


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_alias_class_name_deserializes(alias):
    """A config naming the alias (as some hand-written files do) gives the canonical class."""
    layer = layers.deserialize({"module": "keras.layers", "class_name": alias,
                                "config": {"name": "x", **_required_args(alias)}})
    assert type(layer) is getattr(layers, ALIASES[alias])
    assert layers.serialize(layer)["class_name"] == ALIASES[alias]


def _required_args(alias):
    if "Conv" in alias:
        return {"filters": 2, "kernel_size": 2}
    return {"pool_size": 2} if "Avg" in alias and "Global" not in alias else {}


# ------------------------------------------------------------------------ Identity
def test_identity_returns_its_input_and_structures():
    x = np.arange(6, dtype="float32").reshape(2, 3)
    assert layers.Identity()(x) is x
    pair = [x, np.ones((2, 1), "float32")]
    out = layers.Identity()(pair)
    assert out[0] is pair[0] and out[1] is pair[1]
    a, b = keras.Input((3,)), keras.Input((4, 2), dtype="int32")
    sym = layers.Identity()([a, b])
    assert [t.shape for t in sym] == [(None, 3), (None, 4, 2)]
    assert sym[1].dtype == "int32"
    assert layers.Identity().get_config().keys() == {"name", "trainable", "dtype"}


def test_identity_passes_masks():
    tokens = np.array([[1, 2, 0, 0], [3, 0, 0, 0]])
    emb = layers.Embedding(5, 2, mask_zero=True)
    out = layers.Identity()(emb(tokens))
    np.testing.assert_array_equal(get_mask(out), tokens != 0)
    # In a functional model the mask reaches the pooling after Identity.
    inp = keras.Input((4,), dtype="int32")
    model = keras.Model(inp, layers.GlobalAveragePooling1D()(layers.Identity()(emb(inp))))
    table = emb.embeddings.numpy()
    expected = [table[[1, 2]].mean(0), table[[3]].mean(0)]
    np.testing.assert_allclose(model.predict(tokens, verbose=0), expected, rtol=1e-6)


# --------------------------------------------------------- 1-D reshaping, exact values
def test_up_sampling1d_repeats_steps():
    x = np.arange(12, dtype="float32").reshape(2, 2, 3)
    np.testing.assert_array_equal(layers.UpSampling1D(3)(x), np.repeat(x, 3, axis=1))


@pytest.mark.parametrize("padding,fmt,pads", [
    (2, "channels_last", ((0, 0), (2, 2), (0, 0))),
    ((0, 3), "channels_last", ((0, 0), (0, 3), (0, 0))),
    ((1, 2), "channels_first", ((0, 0), (0, 0), (1, 2))),
])
def test_zero_padding1d(padding, fmt, pads):
    x = np.random.default_rng(0).normal(size=(2, 3, 4)).astype("float32")
    np.testing.assert_array_equal(layers.ZeroPadding1D(padding, data_format=fmt)(x),
                                  np.pad(x, pads))


@pytest.mark.parametrize("cropping,index", [(1, slice(1, -1)), ((0, 2), slice(0, -2)),
                                             ((3, 0), slice(3, None))])
def test_cropping1d(cropping, index):
    x = np.random.default_rng(1).normal(size=(2, 6, 3)).astype("float32")
    np.testing.assert_array_equal(layers.Cropping1D(cropping)(x), x[:, index])


def test_time_axis_layers_ignore_image_data_format():
    """UpSampling1D and Cropping1D always work on axis 1, as in Keras; ZeroPadding1D follows
    `image_data_format` like Keras."""
    x = np.ones((1, 4, 2), "float32")
    keras.config.set_image_data_format("channels_first")
    try:
        assert layers.UpSampling1D(2)(x).shape == (1, 8, 2)
        assert layers.Cropping1D(1)(x).shape == (1, 2, 2)
        assert layers.ZeroPadding1D(1)(x).shape == (1, 4, 4)
    finally:
        keras.config.set_image_data_format("channels_last")


def test_new_layers_round_trip_through_keras_format(tmp_path):
    model = keras.Sequential([
        keras.Input((9, 2)),
        layers.ZeroPadding1D((2, 1), data_format="channels_last"),
        layers.Conv1DTranspose(3, 3, strides=2, padding="same", output_padding=1),
        layers.DepthwiseConv1D(3, strides=2, dilation_rate=2, depth_multiplier=2,
                               depthwise_regularizer="l2"),
        layers.SeparableConv1D(2, 2, dilation_rate=2, pointwise_constraint="non_neg"),
        layers.Cropping1D((1, 0)),
        layers.UpSampling1D(3),
        layers.Identity(),
    ])
    x = np.random.default_rng(2).normal(size=(2, 9, 2)).astype("float32")
    for ext in (".keras", ".h5"):
        model.save(tmp_path / f"m{ext}")
        loaded = keras.models.load_model(tmp_path / f"m{ext}")
        np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
        for a, b in zip(model.layers, loaded.layers):
            assert json.dumps(a.get_config()) == json.dumps(b.get_config())
    model.save_weights(tmp_path / "m.weights.h5")
    other = keras.models.clone_model(model)
    other.load_weights(tmp_path / "m.weights.h5")
    np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))
