"""Bad input to the convolution, pooling and spatial layers: clear ValueErrors that name
the layer and the shapes involved."""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers


@pytest.mark.parametrize("layer,shape", [
    (lambda: layers.Conv2D(2, 3, name="c2"), (2, 5, 5)),
    (lambda: layers.Conv1D(2, 3, name="c2"), (2, 5, 5, 1)),
    (lambda: layers.Conv2DTranspose(2, 3, name="c2"), (5, 5, 1)),
    (lambda: layers.DepthwiseConv2D(3, name="c2"), (2, 5, 5)),
    (lambda: layers.SeparableConv2D(2, 3, name="c2"), (2, 5, 5)),
    (lambda: layers.MaxPooling2D(name="c2"), (2, 5, 5)),
    (lambda: layers.AveragePooling1D(2, name="c2"), (2, 5, 5, 1)),
    (lambda: layers.GlobalMaxPooling2D(name="c2"), (2, 5, 5)),
    (lambda: layers.UpSampling2D(name="c2"), (2, 5, 5)),
    (lambda: layers.ZeroPadding2D(name="c2"), (2, 5)),
    (lambda: layers.Cropping2D(name="c2"), (2, 5, 5)),
    (lambda: layers.RepeatVector(2, name="c2"), (2, 5, 5)),
])
def test_wrong_rank(layer, shape):
    with pytest.raises(ValueError) as e:
        layer()(np.zeros(shape, "float32"))
    msg = str(e.value)
    assert '"c2"' in msg and str(shape) in msg and "ndim" in msg


@pytest.mark.parametrize("fmt,built,bad", [
    ("channels_last", (1, 5, 5, 3), (1, 5, 5, 4)),
    ("channels_first", (1, 3, 5, 5), (1, 5, 5, 3)),
])
def test_channel_mismatch_names_layer_and_shapes(fmt, built, bad):
    layer = layers.Conv2D(2, 3, data_format=fmt, name="convx")
    layer(np.zeros(built, "float32"))
    with pytest.raises(ValueError) as e:
        layer(np.zeros(bad, "float32"))
    msg = str(e.value)
    assert '"convx"' in msg and str(bad) in msg and fmt in msg
    expected = (None, None, None, 3) if fmt == "channels_last" else (None, 3, None, None)
    assert str(expected) in msg


def test_channel_mismatch_symbolic():
    layer = layers.Conv2D(2, 3, name="convs")
    layer(keras.Input((5, 5, 3)))
    with pytest.raises(ValueError, match="convs"):
        layer(keras.Input((5, 5, 2)))


def test_groups_must_divide_channels():
    with pytest.raises(ValueError, match=r"groups=2.*3 channels"):
        layers.Conv2D(4, 3, groups=2)(np.zeros((1, 5, 5, 3), "float32"))
    with pytest.raises(ValueError, match="filters"):
        layers.Conv2D(3, 3, groups=2)


@pytest.mark.parametrize("make,shape", [
    (lambda: layers.Conv2D(2, 5, name="big"), (1, 3, 6, 1)),
    (lambda: layers.Conv2D(2, 3, dilation_rate=3, name="big"), (1, 6, 6, 1)),
    (lambda: layers.Conv1D(2, 4, name="big"), (1, 3, 1)),
    (lambda: layers.MaxPooling2D(4, name="big"), (1, 3, 3, 1)),
    (lambda: layers.DepthwiseConv2D(4, name="big"), (1, 3, 3, 2)),
])
def test_kernel_larger_than_input_valid(make, shape):
    with pytest.raises(ValueError) as e:
        make()(np.zeros(shape, "float32"))
    assert '"big"' in str(e.value) and "padding='valid'" in str(e.value)


def test_kernel_larger_than_input_symbolic():
    with pytest.raises(ValueError, match="larger than the input"):
        layers.Conv2D(2, 5)(keras.Input((3, 3, 1)))


def test_same_padding_accepts_small_input():
    y = layers.Conv2D(2, 5, padding="same")(np.zeros((1, 3, 3, 1), "float32"))
    assert y.shape == (1, 3, 3, 2)


@pytest.mark.parametrize("make", [
    lambda: layers.Conv2D(2, 3, padding="causal"),
    lambda: layers.Conv2D(2, 3, data_format="nhwc"),
    lambda: layers.Conv2D(0, 3),
    lambda: layers.Conv2D(2, (3, 3, 3)),
    lambda: layers.Conv2D(2, 3, strides=2, dilation_rate=2),
    lambda: layers.MaxPooling2D(padding="full"),
    lambda: layers.Permute((1, 3)),
    lambda: layers.Conv2DTranspose(2, 3, strides=2, output_padding=2),
    lambda: layers.UpSampling2D(interpolation="trilinear"),
])
def test_bad_arguments(make):
    with pytest.raises(ValueError):
        make()


def test_keras_auto_names():
    keras.utils.clear_session()
    names = [layers.Conv2D(1, 1).name, layers.Conv2D(1, 1).name, layers.MaxPooling2D().name,
             layers.UpSampling2D().name, layers.Conv2DTranspose(1, 1).name]
    assert names == ["conv2d", "conv2d_1", "max_pooling2d", "up_sampling2d", "conv2d_transpose"]


@pytest.mark.parametrize("kwargs,shape,match", [
    ({"size": (3, 3), "interpolation": "area"}, (1, 4, 4, 1), "interpolation"),
    ({"size": (3,)}, (1, 4, 4, 1), "size"),
    ({"size": (0, 2)}, (1, 4, 4, 1), "size"),
    ({"size": (2, 2)}, (4, 4), "rank"),
    ({"size": (2, 2), "data_format": "nhwc"}, (1, 4, 4, 1), "data_format"),
])
def test_image_resize_errors(kwargs, shape, match):
    with pytest.raises(ValueError, match=match) as info:
        keras.ops.image.resize(np.zeros(shape, "float32"), **kwargs)
    assert "Received:" in str(info.value)


def test_default_data_format_follows_config():
    assert keras.config.image_data_format() == "channels_last"
    keras.config.set_image_data_format("channels_first")
    try:
        assert layers.Conv2D(2, 3).data_format == "channels_first"
        assert layers.UpSampling2D().get_config()["data_format"] == "channels_first"
        y = keras.ops.image.resize(np.zeros((1, 2, 3, 3), "float32"), (6, 6))
        assert y.shape == (1, 2, 6, 6)
    finally:
        keras.config.set_image_data_format("channels_last")
    with pytest.raises(ValueError, match="Received: data_format='nchw'"):
        keras.config.set_image_data_format("nchw")
