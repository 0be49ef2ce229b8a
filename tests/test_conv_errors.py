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
    (lambda: layers.Conv1DTranspose(2, 3, name="c2"), (2, 5, 5, 1)),
    (lambda: layers.DepthwiseConv1D(3, name="c2"), (2, 5)),
    (lambda: layers.SeparableConv1D(2, 3, name="c2"), (2, 5, 5, 1)),
    (lambda: layers.UpSampling1D(name="c2"), (2, 5, 5, 1)),
    (lambda: layers.ZeroPadding1D(name="c2"), (2, 5)),
    (lambda: layers.Cropping1D(name="c2"), (2, 5, 5, 1)),
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
    (lambda: layers.DepthwiseConv1D(4, name="big"), (1, 3, 2)),
    (lambda: layers.DepthwiseConv1D(2, dilation_rate=3, name="big"), (1, 3, 2)),
    (lambda: layers.SeparableConv1D(2, 4, name="big"), (1, 3, 1)),
    (lambda: layers.SeparableConv1D(2, 3, data_format="channels_first", name="big"), (1, 4, 2)),
])
def test_kernel_larger_than_input_valid(make, shape):
    with pytest.raises(ValueError) as e:
        make()(np.zeros(shape, "float32"))
    assert '"big"' in str(e.value) and "padding='valid'" in str(e.value)


def test_kernel_larger_than_input_symbolic():
    with pytest.raises(ValueError, match="larger than the input"):
        layers.Conv2D(2, 5)(keras.Input((3, 3, 1)))
    for layer in (layers.DepthwiseConv1D(4), layers.SeparableConv1D(2, 4)):
        with pytest.raises(ValueError, match="larger than the input"):
            layer(keras.Input((3, 2)))


def test_transposed_kernel_larger_than_input_is_fine():
    """A transposed convolution grows its input: Keras gives (1, 7, 2) here, no error."""
    assert layers.Conv1DTranspose(2, 5)(np.zeros((1, 3, 1), "float32")).shape == (1, 7, 2)
    assert layers.Conv1DTranspose(2, 5)(keras.Input((3, 1))).shape == (None, 7, 2)


@pytest.mark.parametrize("make,shape", [
    (lambda: layers.Cropping1D((3, 2), name="crop"), (1, 5, 2)),
    (lambda: layers.Cropping1D(4, name="crop"), (1, 8, 2)),
])
def test_cropping1d_removing_everything(make, shape):
    with pytest.raises(ValueError, match="crop") as e:
        make()(np.zeros(shape, "float32"))
    assert "Received:" in str(e.value) and str(shape) in str(e.value)
    with pytest.raises(ValueError, match="crop"):
        make()(keras.Input(shape[1:]))


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
    lambda: layers.Conv1DTranspose(2, 3, padding="causal"),
    lambda: layers.Conv1DTranspose(2, 3, strides=2, output_padding=2),
    lambda: layers.Conv1DTranspose(2, 3, strides=2, dilation_rate=2),
    lambda: layers.Conv1DTranspose(0, 3),
    lambda: layers.Conv1DTranspose(2, (3, 3)),
    lambda: layers.DepthwiseConv1D(3, depth_multiplier=0),
    lambda: layers.DepthwiseConv1D(3, padding="causal"),
    lambda: layers.DepthwiseConv1D(0),
    lambda: layers.SeparableConv1D(0, 3),
    lambda: layers.SeparableConv1D(2, 3, depth_multiplier=0),
    lambda: layers.SeparableConv1D(2, 3, data_format="nwc"),
    lambda: layers.SeparableConv2D(2, 3, depth_multiplier=-1),
    lambda: layers.UpSampling1D(0),
    lambda: layers.ZeroPadding1D(-1),
    lambda: layers.ZeroPadding1D((1, 2, 3)),
    lambda: layers.ZeroPadding1D(data_format="nwc"),
    lambda: layers.Cropping1D(-1),
    lambda: layers.Cropping1D((1, 2, 3)),
])
def test_bad_arguments(make):
    with pytest.raises(ValueError) as e:
        make()
    assert "Received" in str(e.value)


@pytest.mark.parametrize("size", [2.0, "2", True, (2,)])
def test_up_sampling1d_size_must_be_an_int(size):
    with pytest.raises(TypeError, match="Received: size="):
        layers.UpSampling1D(size)


def test_depthwise_and_separable_accept_strides_with_dilation():
    """Unlike Conv1D/Conv2D, Keras's depthwise and separable layers allow both at once."""
    x = np.zeros((1, 11, 2), "float32")
    assert layers.DepthwiseConv1D(3, strides=2, dilation_rate=2)(x).shape == (1, 4, 2)
    assert layers.SeparableConv1D(3, 3, strides=2, dilation_rate=2)(x).shape == (1, 4, 3)
    with pytest.raises(ValueError, match="dilation_rate"):
        layers.Conv1D(2, 3, strides=2, dilation_rate=2)


@pytest.mark.parametrize("fmt,built,bad", [
    ("channels_last", (1, 5, 3), (1, 5, 4)),
    ("channels_first", (1, 3, 5), (1, 4, 5)),
])
@pytest.mark.parametrize("make", [
    lambda fmt: layers.Conv1DTranspose(2, 3, data_format=fmt, name="c1"),
    lambda fmt: layers.DepthwiseConv1D(3, data_format=fmt, name="c1"),
    lambda fmt: layers.SeparableConv1D(2, 3, data_format=fmt, name="c1"),
])
def test_channel_mismatch_1d(make, fmt, built, bad):
    layer = make(fmt)
    layer(np.zeros(built, "float32"))
    with pytest.raises(ValueError) as e:
        layer(np.zeros(bad, "float32"))
    assert '"c1"' in str(e.value) and str(bad) in str(e.value) and fmt in str(e.value)


def test_keras_auto_names():
    keras.utils.clear_session()
    names = [layers.Conv2D(1, 1).name, layers.Conv2D(1, 1).name, layers.MaxPooling2D().name,
             layers.UpSampling2D().name, layers.Conv2DTranspose(1, 1).name]
    assert names == ["conv2d", "conv2d_1", "max_pooling2d", "up_sampling2d", "conv2d_transpose"]
    keras.utils.clear_session()
    names = [layers.Conv1DTranspose(1, 1).name, layers.DepthwiseConv1D(1).name,
             layers.SeparableConv1D(1, 1).name, layers.UpSampling1D().name,
             layers.ZeroPadding1D().name, layers.Cropping1D().name, layers.Identity().name,
             layers.Convolution1D(1, 1).name, layers.MaxPool1D().name]
    assert names == ["conv1d_transpose", "depthwise_conv1d", "separable_conv1d", "up_sampling1d",
                     "zero_padding1d", "cropping1d", "identity", "conv1d", "max_pooling1d"]


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
