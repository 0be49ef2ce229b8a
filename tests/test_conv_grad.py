"""Finite-difference checks (float64) of the convolution, pooling and spatial reshaping
layers: the gradient w.r.t. the input and each trainable weight, in several configurations.
"""

import numpy as np
import pytest

from finite_differences import fd, fd_variable
import nbkeras
from nbkeras import layers, ops

pytestmark = pytest.mark.usefixtures("float64")


def check(layer, shape, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, shape)
    layer(x)  # build
    for v in layer.trainable_weights:
        v.assign(rng.uniform(-1, 1, v.shape))
    out_shape = np.asarray(layer(x)).shape
    r = rng.uniform(-1, 1, out_shape)

    def loss():
        return float(np.sum(np.asarray(layer(x)) * r))

    with ops.GradientTape() as tape:
        xt = tape.watch(x)
        y = layer(xt)
        total = ops.sum(y * r)
    weights = layer.trainable_weights
    grads = tape.gradient(total, [xt] + list(weights))
    np.testing.assert_allclose(grads[0], fd(loss, x), rtol=1e-5, atol=1e-7, err_msg="input")
    for v, g in zip(weights, grads[1:]):
        np.testing.assert_allclose(g, fd_variable(loss, v), rtol=1e-5, atol=1e-7, err_msg=v.name)


CASES = [
    ("conv1d_valid", lambda: layers.Conv1D(3, 3), (2, 7, 2)),
    ("conv1d_same_s2", lambda: layers.Conv1D(3, 3, strides=2, padding="same"), (2, 7, 2)),
    ("conv1d_causal_d2", lambda: layers.Conv1D(2, 2, padding="causal", dilation_rate=2),
     (2, 6, 2)),
    ("conv1d_groups_cf", lambda: layers.Conv1D(4, 3, groups=2, data_format="channels_first"),
     (2, 4, 6)),
    ("conv2d_valid_relu", lambda: layers.Conv2D(3, 3, activation="tanh"), (2, 5, 5, 2)),
    # activations fused into the conv's pass: by output (relu), by input (gelu), no bias
    ("conv2d_fused_relu", lambda: layers.Conv2D(3, 3, activation="relu"), (2, 5, 5, 2)),
    ("conv2d_fused_gelu_same", lambda: layers.Conv2D(3, 3, padding="same", activation="gelu"),
     (2, 4, 5, 2)),
    ("conv1d_fused_leaky_nobias", lambda: layers.Conv1D(2, 3, activation="leaky_relu",
                                                        use_bias=False), (2, 6, 3)),
    # thin kernels (taps x channels < filters): one fused pass for the kernel gradient
    ("conv2d_thin_relu", lambda: layers.Conv2D(8, 2, activation="relu"), (2, 5, 5, 1)),
    ("conv2d_thin_gelu_same_nobias", lambda: layers.Conv2D(
        6, 2, padding="same", activation="gelu", use_bias=False), (2, 4, 5, 1)),
    ("conv2d_thin_linear_s2", lambda: layers.Conv2D(5, 2, strides=2), (2, 5, 5, 1)),
    ("conv1d_thin_1x1_elu", lambda: layers.Conv1D(4, 1, activation="elu"), (2, 5, 3)),
    ("conv2d_1x1_pointwise", lambda: layers.Conv2D(3, 1, padding="same"), (2, 3, 4, 2)),
    ("conv2d_1x1_stride2", lambda: layers.Conv2D(3, 1, strides=2), (2, 3, 4, 2)),
    ("conv2d_same_s2", lambda: layers.Conv2D(2, (3, 2), strides=(2, 1), padding="same"),
     (2, 5, 4, 2)),
    ("conv2d_dilation", lambda: layers.Conv2D(2, 2, dilation_rate=2, padding="same"),
     (1, 5, 5, 2)),
    ("conv2d_groups", lambda: layers.Conv2D(4, 2, groups=2), (2, 4, 4, 4)),
    ("conv2d_cf_nobias", lambda: layers.Conv2D(2, 3, use_bias=False,
                                               data_format="channels_first"), (2, 2, 5, 4)),
    ("convT_valid_s2", lambda: layers.Conv2DTranspose(2, 3, strides=2), (2, 3, 3, 2)),
    ("convT_same_s2", lambda: layers.Conv2DTranspose(2, 3, strides=2, padding="same"),
     (1, 3, 4, 2)),
    ("convT_outpad", lambda: layers.Conv2DTranspose(2, 3, strides=2, output_padding=1),
     (1, 3, 3, 1)),
    ("convT_dil_cf", lambda: layers.Conv2DTranspose(2, 2, dilation_rate=2,
                                                    data_format="channels_first"),
     (1, 2, 3, 3)),
    ("depthwise", lambda: layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same",
                                                 strides=2), (2, 5, 5, 2)),
    ("separable", lambda: layers.SeparableConv2D(3, 2, depth_multiplier=2), (2, 4, 4, 2)),
    ("maxpool1d", lambda: layers.MaxPooling1D(3, strides=2, padding="same"), (2, 7, 2)),
    ("maxpool2d", lambda: layers.MaxPooling2D(), (2, 4, 5, 2)),
    ("maxpool2d_overlap_cf", lambda: layers.MaxPooling2D(3, strides=1,
                                                         data_format="channels_first"),
     (1, 2, 5, 5)),
    ("avgpool1d", lambda: layers.AveragePooling1D(2), (2, 6, 2)),
    ("avgpool2d_same", lambda: layers.AveragePooling2D(3, strides=2, padding="same"),
     (2, 5, 5, 2)),
    ("gmax1d", lambda: layers.GlobalMaxPooling1D(), (2, 5, 3)),
    ("gmax2d_cf", lambda: layers.GlobalMaxPooling2D(data_format="channels_first",
                                                    keepdims=True), (2, 3, 4, 4)),
    ("gavg1d", lambda: layers.GlobalAveragePooling1D(), (2, 5, 3)),
    ("gavg2d", lambda: layers.GlobalAveragePooling2D(), (2, 4, 4, 3)),
    ("upsampling", lambda: layers.UpSampling2D((2, 3)), (2, 3, 2, 2)),
    ("upsampling_cf", lambda: layers.UpSampling2D(2, data_format="channels_first"),
     (1, 2, 2, 3)),
    ("upsampling_bilinear", lambda: layers.UpSampling2D(2, interpolation="bilinear"),
     (2, 3, 2, 2)),
    ("upsampling_bicubic_cf", lambda: layers.UpSampling2D(
        (3, 2), interpolation="bicubic", data_format="channels_first"), (1, 2, 3, 3)),
    ("upsampling_lanczos3", lambda: layers.UpSampling2D(2, interpolation="lanczos3"),
     (1, 4, 3, 1)),
    ("zeropad", lambda: layers.ZeroPadding2D(((1, 0), (2, 1))), (2, 3, 3, 2)),
    ("crop_cf", lambda: layers.Cropping2D(((1, 0), (0, 2)), data_format="channels_first"),
     (2, 2, 4, 5)),
    ("permute", lambda: layers.Permute((3, 1, 2)), (2, 3, 4, 2)),
    ("repeat_vector", lambda: layers.RepeatVector(3), (2, 4)),
    ("convT1d_valid_s2", lambda: layers.Conv1DTranspose(2, 3, strides=2), (2, 4, 2)),
    ("convT1d_same_outpad", lambda: layers.Conv1DTranspose(2, 3, strides=2, padding="same",
                                                           output_padding=1), (1, 4, 2)),
    ("convT1d_dil_cf", lambda: layers.Conv1DTranspose(2, 2, dilation_rate=2, activation="tanh",
                                                      data_format="channels_first"), (2, 2, 4)),
    ("depthwise1d", lambda: layers.DepthwiseConv1D(3, depth_multiplier=2), (2, 6, 2)),
    ("depthwise1d_same_s2_d2_cf", lambda: layers.DepthwiseConv1D(
        2, strides=2, dilation_rate=2, padding="same", data_format="channels_first"), (1, 2, 7)),
    ("separable1d", lambda: layers.SeparableConv1D(3, 2, depth_multiplier=2), (2, 5, 2)),
    ("separable1d_same_s2_cf", lambda: layers.SeparableConv1D(
        2, 3, strides=2, padding="same", data_format="channels_first"), (1, 2, 7)),
    ("separable2d_s2_d2", lambda: layers.SeparableConv2D(2, 2, strides=2, dilation_rate=2),
     (1, 5, 5, 2)),
    ("upsampling1d", lambda: layers.UpSampling1D(3), (2, 3, 2)),
    ("zeropad1d_cf", lambda: layers.ZeroPadding1D((2, 1), data_format="channels_first"),
     (2, 2, 3)),
    ("crop1d", lambda: layers.Cropping1D((1, 2)), (2, 6, 2)),
    ("identity", lambda: layers.Identity(), (2, 3, 2)),
    # The 3-D layers and the ConvLSTMs.
    ("conv3d_same_s2", lambda: layers.Conv3D(2, (2, 3, 2), strides=2, padding="same"),
     (2, 3, 4, 3, 2)),
    ("conv3d_groups_cf", lambda: layers.Conv3D(2, 2, groups=2, dilation_rate=(1, 2, 1),
                                               data_format="channels_first"), (1, 2, 2, 4, 3)),
    ("convT3d_s2_outpad", lambda: layers.Conv3DTranspose(2, 2, strides=2, output_padding=1),
     (1, 2, 2, 3, 2)),
    ("convT3d_same_cf", lambda: layers.Conv3DTranspose(2, 3, padding="same",
                                                       data_format="channels_first"),
     (1, 2, 2, 3, 2)),
    ("maxpool3d_same", lambda: layers.MaxPooling3D(2, strides=(1, 2, 2), padding="same"),
     (2, 3, 4, 3, 2)),
    ("avgpool3d_same_cf", lambda: layers.AveragePooling3D(
        2, strides=1, padding="same", data_format="channels_first"), (1, 2, 3, 3, 2)),
    ("gmax3d", lambda: layers.GlobalMaxPooling3D(), (2, 2, 3, 2, 2)),
    ("gavg3d_keep", lambda: layers.GlobalAveragePooling3D(keepdims=True), (2, 2, 3, 2, 2)),
    ("upsampling3d", lambda: layers.UpSampling3D((1, 2, 3)), (1, 2, 2, 2, 2)),
    ("zeropad3d", lambda: layers.ZeroPadding3D(((1, 0), (0, 1), 1)), (1, 2, 2, 2, 2)),
    ("crop3d_cf", lambda: layers.Cropping3D(((1, 0), (0, 1), 1), data_format="channels_first"),
     (1, 2, 3, 3, 4)),
    ("convlstm2d", lambda: layers.ConvLSTM2D(2, 2, padding="same"), (1, 3, 3, 3, 1)),
    ("convlstm2d_seq_back_cf", lambda: layers.ConvLSTM2D(
        2, 2, strides=2, return_sequences=True, go_backwards=True,
        data_format="channels_first"), (1, 3, 1, 4, 4)),
    ("convlstm1d_seq", lambda: layers.ConvLSTM1D(2, 3, return_sequences=True), (2, 3, 5, 1)),
    ("convlstm3d", lambda: layers.ConvLSTM3D(1, 2, padding="same"), (1, 2, 2, 2, 2, 1)),
    ("bidirectional_convlstm2d", lambda: layers.Bidirectional(layers.ConvLSTM2D(
        1, 2, padding="same", return_sequences=True)), (1, 3, 3, 3, 1)),
]


@pytest.mark.parametrize("make,shape", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_gradient(make, shape):
    check(make(), shape)


def test_workspace_reused_across_steps():
    layer = layers.Conv2D(2, 3)
    x = np.random.default_rng(0).uniform(size=(2, 6, 6, 1))
    bufs = []
    for _ in range(3):
        with ops.GradientTape() as tape:
            y = layer(x)
            loss = ops.sum(y * y)
        tape.gradient(loss, layer.trainable_weights)
        bufs.append(id(layer._workspace._bufs["cols"][0]))
    assert bufs[0] == bufs[1] == bufs[2]


def test_shared_layer_twice_in_one_step():
    """A layer called twice under one tape must not overwrite the first call's im2col buffer."""
    layer = layers.Conv2D(2, 2)
    rng = np.random.default_rng(1)
    a, b = rng.uniform(size=(1, 4, 4, 2)), rng.uniform(size=(1, 4, 4, 2))
    layer(a)
    with ops.GradientTape() as tape:
        loss = ops.sum(layer(a)) + 2 * ops.sum(layer(b))
    gk = tape.gradient(loss, layer.kernel)
    with ops.GradientTape() as tape:
        loss = ops.sum(layer(a))
    g1 = tape.gradient(loss, layer.kernel)
    with ops.GradientTape() as tape:
        loss = ops.sum(layer(b))
    g2 = tape.gradient(loss, layer.kernel)
    np.testing.assert_allclose(gk, g1 + 2 * g2, rtol=1e-10)


def test_keras_named_ops_match_layers():
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, (2, 6, 5, 3))
    layer = layers.Conv2D(4, 3, strides=2, padding="same", use_bias=False)
    ref = np.asarray(layer(x))
    got = ops.conv(x, layer.kernel.numpy(), strides=2, padding="same")
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    xc = np.ascontiguousarray(np.transpose(x, (0, 3, 1, 2)))
    got_cf = ops.conv(xc, layer.kernel.numpy(), strides=2, padding="same",
                      data_format="channels_first")
    np.testing.assert_allclose(got_cf, np.transpose(ref, (0, 3, 1, 2)), rtol=1e-12)
    np.testing.assert_allclose(ops.max_pool(x, 2), np.asarray(layers.MaxPooling2D()(x)))
    np.testing.assert_allclose(ops.average_pool(x[:, 0], 3, 1, "same"),
                               np.asarray(layers.AveragePooling1D(3, 1, "same")(x[:, 0])))


@pytest.mark.parametrize("groups,kernel", [(1, 3), (2, 3), (4, 3), (1, 1)],
                         ids=["g1", "g2", "depthwise", "1x1"])
def test_chunked_workspace_matches_whole_batch(monkeypatch, groups, kernel):
    """With a tiny workspace cap the batch runs in chunks; results must not change (a 1x1
    kernel reads x directly, chunk by chunk, with no im2col buffer)."""
    import sys

    mod = sys.modules["nbkeras.ops.conv"]
    rng = np.random.default_rng(4)
    x = rng.uniform(-1, 1, (5, 6, 6, 4))
    layer = layers.Conv2D(4, kernel, padding="same", groups=groups)
    layer(x)

    def run():
        with ops.GradientTape() as tape:
            xt = tape.watch(x)
            y = layer(xt)
            loss = ops.sum(y * y)
        return [np.asarray(y)] + tape.gradient(loss, [xt] + layer.trainable_weights)

    whole = run()
    monkeypatch.setattr(mod, "WORKSPACE_BYTES", 2 * 36 * 9 * 4 * 8)  # 2 samples per chunk
    chunked = run()
    for a, b in zip(whole, chunked):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    if kernel > 1:
        assert layer._workspace._bufs["cols"][0].shape[0] < 5 * 36  # it did run in chunks
    else:
        assert "cols" not in layer._workspace._bufs


@pytest.mark.parametrize("activation", ["relu", "gelu", "elu", "leaky_relu", "sigmoid"])
def test_fused_activation_matches_the_activation_after_a_linear_conv(activation):
    """Conv2D(activation=...) fuses the activation into the conv op; its outputs and every
    gradient equal those of the linear conv followed by the activation function."""
    rng = np.random.default_rng(5)
    x = rng.uniform(-1, 1, (3, 6, 5, 2))
    fused = layers.Conv2D(4, 3, padding="same", activation=activation)
    fused(x)
    plain = layers.Conv2D(4, 3, padding="same")
    plain(x)
    for v in fused.trainable_weights:
        v.assign(rng.uniform(-1, 1, v.shape))
    plain.set_weights(fused.get_weights())
    act = nbkeras.activations.get(activation)
    r = rng.uniform(-1, 1, (3, 6, 5, 4))

    def run(f, layer):
        with ops.GradientTape() as tape:
            xt = tape.watch(x)
            y = f(xt)
            loss = ops.sum(y * r)
        return [np.asarray(y)] + tape.gradient(loss, [xt] + layer.trainable_weights)

    got = run(fused, fused)
    want = run(lambda t: act(plain(t)), plain)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_input_gradient_in_cache_sized_chunks_matches_whole_batch(monkeypatch):
    """The CPU builds the input gradient's column matrix a few samples at a time (so it stays
    in cache); any chunk size gives the whole batch's numbers."""
    import sys

    mod = sys.modules["nbkeras.ops.conv"]
    rng = np.random.default_rng(6)
    x = rng.uniform(-1, 1, (5, 6, 6, 3))
    layer = layers.Conv2D(4, 3, padding="same", activation="relu")
    layer(x)

    def run():
        with ops.GradientTape() as tape:
            xt = tape.watch(x)
            loss = ops.sum(layer(xt) ** 2)
        return tape.gradient(loss, [xt] + layer.trainable_weights)

    monkeypatch.setattr(mod, "DCOLS_BYTES", {})  # the whole batch at once
    whole = run()
    assert layer._workspace._bufs["dcols"][0].shape[0] == 5 * 36
    monkeypatch.setattr(mod, "DCOLS_BYTES", {"cpu": 2 * 36 * 27 * 8})  # 2 samples at a time
    chunked = run()
    assert layer._workspace._bufs["dcols"][0].shape[0] == 2 * 36
    for a, b in zip(whole, chunked):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
