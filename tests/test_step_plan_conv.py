"""The replayed training step of convolution, pooling and spatial reshaping models: every
weight and loss bit-identical to the tape step (rank 1, 2 and 3; transposed, depthwise,
separable and grouped convolutions; padding, strides, dilation; both poolings; Dropout),
over the golden CNN training cases too, and the tape path for a layer whose internal hooks
a subclass replaces."""

import sys

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers

import test_parity_conv as conv_golden
from test_step_plan import _fit_both, _twice, assert_identical, replays  # noqa: F401


def _images(shape, n=24, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n,) + shape).astype("float32")
    return x, rng.integers(0, classes, n)


def _cnn(shape, body, optimizer="adam"):
    def make():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([layers.Input(shape)] + body() +
                                 [layers.Flatten(), layers.Dense(3, activation="softmax")])
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        return model
    return make


MODELS = {
    "conv1d": ((12, 3), lambda: [
        layers.Conv1D(4, 3, padding="same", strides=2, activation="relu"),
        layers.Conv1D(4, 2, padding="causal", dilation_rate=2, activation="gelu"),
        layers.Dropout(0.3), layers.MaxPooling1D(2, padding="same"),
        layers.ZeroPadding1D((1, 2)), layers.AveragePooling1D(2),
        layers.UpSampling1D(2), layers.Cropping1D((1, 0))]),
    "conv1d_family": ((10, 4), lambda: [
        layers.DepthwiseConv1D(3, depth_multiplier=2, padding="same"),
        layers.SeparableConv1D(3, 3, strides=2, activation="tanh"),
        layers.Conv1DTranspose(2, 3, strides=2, output_padding=1),
        layers.Conv1D(4, 2, groups=2, use_bias=False)]),
    "conv2d": ((9, 9, 2), lambda: [
        layers.Conv2D(4, 3, strides=2, activation="relu"),
        layers.ZeroPadding2D(((1, 0), (0, 1))),
        layers.Conv2D(3, 2, padding="same", dilation_rate=2, activation="elu"),
        layers.MaxPooling2D(2, strides=1), layers.SpatialDropout2D(0.2),
        layers.AveragePooling2D(2, padding="same")]),
    "conv2d_family": ((8, 8, 3), lambda: [
        layers.SeparableConv2D(4, 3, padding="same", depth_multiplier=2, activation="relu"),
        layers.DepthwiseConv2D(2, strides=2, depth_multiplier=2),
        layers.Conv2DTranspose(3, 3, strides=2, padding="same"),
        layers.Cropping2D(((1, 0), (1, 1))), layers.UpSampling2D((1, 2)),
        layers.Conv2D(4, 1, activation="sigmoid"), layers.Conv2D(4, 3, groups=2)]),
    "channels_first": ((2, 7, 7), lambda: [
        layers.Conv2D(3, 3, padding="same", data_format="channels_first", activation="relu"),
        layers.MaxPooling2D(data_format="channels_first"),
        layers.UpSampling2D(2, data_format="channels_first"),
        layers.GlobalAveragePooling2D(data_format="channels_first")]),
    "conv3d": ((4, 6, 6, 2), lambda: [
        layers.Conv3D(3, 2, padding="same", activation="relu"),
        layers.MaxPooling3D((1, 2, 2)), layers.Conv3DTranspose(2, 2, strides=(1, 2, 2)),
        layers.ZeroPadding3D(1), layers.Cropping3D(((0, 1), 1, (1, 0))),
        layers.UpSampling3D((1, 1, 2)), layers.AveragePooling3D(2, padding="same"),
        layers.Conv3D(2, 2, dilation_rate=(1, 2, 2), padding="same")]),
    "global3d": ((3, 4, 4, 2), lambda: [
        layers.Conv3D(4, 2, activation="relu"), layers.GlobalMaxPooling3D(),
        layers.RepeatVector(2)]),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_conv_models_replay_bit_identical(name, replays):
    shape, body = MODELS[name]
    model, n = _fit_both(_cnn(shape, body), replays, data=_images(shape), batch_size=8,
                         epochs=2)
    assert n > 0 and model._step_path == "replay", model._step_path


def test_a_shared_conv_layer_replays_bit_identical(replays):
    """One Conv2D (one workspace) called on two branches: two ops, each with its own state."""
    shape = (7, 7, 2)

    def make():
        keras.utils.set_random_seed(0)
        inp = keras.Input(shape)
        conv = layers.Conv2D(3, 3, padding="same", activation="relu")
        a = conv(inp)
        b = conv(layers.MaxPooling2D(1)(layers.ZeroPadding2D(0)(inp)))
        h = layers.Concatenate()([layers.Flatten()(a), layers.Flatten()(b)])
        model = keras.Model(inp, layers.Dense(3, activation="softmax")(h))
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        return model

    model, n = _fit_both(make, replays, data=_images(shape), batch_size=8, epochs=2)
    assert n > 0 and model._step_path == "replay"


def test_interpolating_upsampling_gives_the_tape_numbers(replays):
    """UpSampling2D's bilinear resize (a tensordot with constant weights): replayed or not,
    the same numbers."""
    shape = (5, 5, 2)
    _fit_both(_cnn(shape, lambda: [layers.Conv2D(2, 2), layers.UpSampling2D(
        2, interpolation="bilinear")]), replays, data=_images(shape), batch_size=8, epochs=2)


def test_chunked_im2col_replays_bit_identical(replays, monkeypatch):
    """A batch larger than the im2col workspace: the backward pass rebuilds the matrix chunk
    by chunk, replayed as on the tape."""
    monkeypatch.setattr(sys.modules["nbkeras.ops.conv"], "WORKSPACE_BYTES", 3 * 36 * 9 * 2 * 4)
    shape = (6, 6, 2)
    model, n = _fit_both(_cnn(shape, lambda: [layers.Conv2D(3, 3, padding="same")]), replays,
                         data=_images(shape), batch_size=8, epochs=2)
    assert n > 0
    assert model.layers[0]._workspace._bufs["cols"][0].shape[0] == 3 * 36


def test_replayed_steps_reuse_the_im2col_buffer(replays):
    """Each replayed forward lets go of the last step's buffers first, and a traced step's
    ops let go of theirs once it is over: the layer's workspace hands out the same im2col
    buffer every step, traced or replayed."""
    shape = (6, 6, 2)
    model = _cnn(shape, lambda: [layers.Conv2D(3, 3)])()
    x, y = _images(shape)
    seen = []

    class Buffers(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append((model._step_path, id(model.layers[0]._workspace._bufs["cols"][0])))

    model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[Buffers()])
    assert [p for p, _ in seen] == ["trace", "trace"] + ["replay"] * 4
    assert len({b for _, b in seen}) == 1


@pytest.mark.parametrize("case", conv_golden.TRAINING, ids=[c["id"] for c in conv_golden.TRAINING])
def test_conv_training_goldens_bit_identical(case, replays):
    def run():
        model, *result = conv_golden.train(case)
        return result
    fast, tape, n = _twice(run, replays)
    assert_identical(fast, tape)
    if not any(s["class"].startswith("ConvLSTM") for s in case["model"]):
        assert n > 0, case["id"]


class _OwnConvolve(layers.Conv2D):
    """Replaces an internal hook of the conv layer (the replay whitelist cannot vouch)."""

    def _convolve(self, x, fused=("linear", 0.0)):
        return super()._convolve(x * 2.0, fused)


class _OwnPads(layers.ZeroPadding2D):
    def _pads(self):
        return ((0, 0), (1, 0), (0, 1), (0, 0))


@pytest.mark.parametrize("make_layer, hook", [
    (lambda: _OwnConvolve(3, 3), "_convolve"),
    (lambda: _OwnPads(), "_pads"),
])
def test_a_subclass_overriding_a_hook_takes_the_tape_path(make_layer, hook, replays):
    shape = (6, 6, 2)
    model, n = _fit_both(_cnn(shape, lambda: [make_layer()]), replays, data=_images(shape),
                         batch_size=8, epochs=2)
    assert n == 0 and model._step_path.startswith("tape: layer") and hook in model._step_path


def test_a_hook_replaced_on_the_instance_takes_the_tape_path(replays):
    shape = (6, 6, 2)

    def make():
        model = _cnn(shape, lambda: [layers.Conv2D(3, 3)])()
        conv = model.layers[0]
        conv._kernel_2d = lambda kernel: kernel * 1.0
        return model

    model, n = _fit_both(make, replays, data=_images(shape), batch_size=8, epochs=2)
    assert n == 0 and "overrides `_kernel_2d`" in model._step_path
