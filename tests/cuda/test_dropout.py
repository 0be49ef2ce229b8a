"""The CUDA device's dropout: its counter-based generator, its seeding and its mask rule."""

import numpy as np

import nbkeras as keras


def _drop(K, x, rate, seed, mask_size=None):
    mask = np.zeros(mask_size or x.size, x.dtype)
    out = np.zeros_like(x)
    K.dropout_forward(x, mask, out, rate, seed)
    return mask, out


def test_mask_values_rate_and_output(cuda_kernels):
    x = np.linspace(-1, 1, 400).astype(np.float32)
    mask, out = _drop(cuda_kernels, x, 0.25, 5)
    assert set(np.unique(mask)) <= {0.0, np.float32(1 / 0.75)}
    assert 0.15 < np.mean(mask == 0) < 0.35
    np.testing.assert_array_equal(out, x * mask)


def test_seeded_calls_repeat_and_unseeded_calls_continue(cuda_kernels):
    x = np.ones(128, np.float32)
    a, _ = _drop(cuda_kernels, x, 0.5, 11)
    b, _ = _drop(cuda_kernels, x, 0.5, 11)
    c, _ = _drop(cuda_kernels, x, 0.5, 12)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    # After a seeded call the stream continues from there, as on the CPU.
    _drop(cuda_kernels, x, 0.5, 11)
    d1, _ = _drop(cuda_kernels, x, 0.5, -1)
    _drop(cuda_kernels, x, 0.5, 11)
    d2, _ = _drop(cuda_kernels, x, 0.5, -1)
    np.testing.assert_array_equal(d1, d2)
    assert not np.array_equal(d1, a)


def test_set_random_seed_seeds_the_device_generator():
    keras.config.set_device("cuda")
    try:
        from nbkeras.backend import kernels

        x = np.ones(96, np.float32)
        keras.utils.set_random_seed(3)
        a, _ = _drop(kernels, x, 0.5, -1)
        keras.utils.set_random_seed(3)
        b, _ = _drop(kernels, x, 0.5, -1)
        keras.utils.set_random_seed(4)
        c, _ = _drop(kernels, x, 0.5, -1)
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c)
        layer_out = keras.layers.Dropout(0.5, seed=1)(np.ones((4, 24), np.float32), training=True)
        assert set(np.unique(keras.ops.convert_to_numpy(layer_out))) <= {0.0, 2.0}
    finally:
        keras.config.set_device("cpu")


def test_short_mask_tiles_along_x(cuda_kernels):
    x = np.arange(1, 61, dtype=np.float32)
    mask, out = _drop(cuda_kernels, x, 0.5, 2, mask_size=12)
    np.testing.assert_array_equal(out, x * np.tile(mask, 5))
