"""Initializer statistics against Keras 3's definitions, over large draws.

Variance scaling draws have variance `scale / n` (n = fan_in, fan_out or their mean);
uniform ones lie in `[-sqrt(3 * scale / n), sqrt(3 * scale / n)]`; truncated normal
ones lie within two (pre-truncation) standard deviations. Seeded initializers are
reproducible; config keys are Keras's.
"""

import math

import numpy as np
import pytest

import nbkeras
from nbkeras import initializers as I

SHAPE = (400, 300)  # 120,000 draws: the sample variance is within about 1% of the truth
CONV = (3, 3, 16, 32)  # fans 144 / 288 through the 3x3 receptive field
TRUNC_STD = 0.87962566103423978  # std of a unit normal truncated to [-2, 2]


def fans(shape):
    if len(shape) == 2:
        return shape[0], shape[1]
    rf = int(np.prod(shape[:-2]))
    return shape[-2] * rf, shape[-1] * rf


def n_of(mode, shape):
    fi, fo = fans(shape)
    return {"fan_in": fi, "fan_out": fo, "fan_avg": (fi + fo) / 2}[mode]


def assert_moments(w, mean, var, rtol=0.03):
    w = np.asarray(w, np.float64)
    se = math.sqrt(var / w.size)
    assert abs(w.mean() - mean) < 6 * se + 1e-12, (w.mean(), mean)
    np.testing.assert_allclose(w.var(), var, rtol=rtol)


PRESETS = [
    ("GlorotUniform", 1.0, "fan_avg", "uniform"),
    ("GlorotNormal", 1.0, "fan_avg", "truncated_normal"),
    ("HeUniform", 2.0, "fan_in", "uniform"),
    ("HeNormal", 2.0, "fan_in", "truncated_normal"),
    ("LecunUniform", 1.0, "fan_in", "uniform"),
    ("LecunNormal", 1.0, "fan_in", "truncated_normal"),
]
SCALINGS = [(s, m, d) for s in (0.5, 2.0) for m in ("fan_in", "fan_out", "fan_avg")
            for d in ("uniform", "truncated_normal", "untruncated_normal")]


def check_variance_scaling(w, scale, mode, distribution, shape):
    var = scale / max(1.0, n_of(mode, shape))
    assert w.shape == shape and w.dtype == np.float32
    assert_moments(w, 0.0, var)
    if distribution == "uniform":
        limit = math.sqrt(3 * var)
        assert np.abs(w).max() <= limit * (1 + 1e-6)
        assert np.abs(w).max() > 0.99 * limit
    elif distribution == "truncated_normal":
        bound = 2 * math.sqrt(var) / TRUNC_STD
        assert np.abs(w).max() <= bound * (1 + 1e-6)
        assert np.abs(w).max() > 0.99 * bound
    else:
        # An untruncated normal puts about 4.6% of its mass beyond two standard deviations.
        tail = np.mean(np.abs(w) > 2 * math.sqrt(var))
        assert 0.04 < tail < 0.052


@pytest.mark.parametrize("name,scale,mode,distribution", PRESETS, ids=[p[0] for p in PRESETS])
@pytest.mark.parametrize("shape", [SHAPE, CONV], ids=["dense", "conv"])
def test_preset_statistics(name, scale, mode, distribution, shape):
    w = getattr(I, name)(seed=3)(shape)
    check_variance_scaling(w, scale, mode, distribution, shape)


@pytest.mark.parametrize("scale,mode,distribution", SCALINGS,
                         ids=[f"{s}-{m}-{d}" for s, m, d in SCALINGS])
def test_variance_scaling_statistics(scale, mode, distribution):
    w = I.VarianceScaling(scale, mode, distribution, seed=4)(CONV)
    check_variance_scaling(w, scale, mode, distribution, CONV)


def test_normal_means_truncated_normal():
    init = I.VarianceScaling(distribution="normal", seed=1)
    assert init.distribution == "truncated_normal"
    np.testing.assert_array_equal(init(SHAPE), I.VarianceScaling(seed=1)(SHAPE))


def test_fans_from_axes():
    assert I.compute_fans((5,)) == (5, 5)
    assert I.compute_fans(()) == (1, 1)
    assert I.compute_fans((7, 3)) == (7, 3)
    assert I.compute_fans(CONV) == (144, 288)
    assert I.compute_fans((4, 5, 6), input_axes=[0, 1], output_axes=[2]) == (20, 6)
    w = I.VarianceScaling(1.0, "fan_in", "uniform", seed=2, input_axes=[0, 1],
                          output_axes=[2])((40, 50, 60))
    check_variance_scaling(w.reshape(2000, 60), 1.0, "fan_in", "uniform", (2000, 60))


def test_random_uniform():
    w = I.RandomUniform(-1.0, 3.0, seed=5)(SHAPE)
    assert w.min() >= -1.0 and w.max() < 3.0
    assert w.min() < -0.99 and w.max() > 2.99
    assert_moments(w, 1.0, 16 / 12)


def test_random_uniform_defaults():
    w = I.RandomUniform(seed=5)(SHAPE)
    assert np.abs(w).max() <= 0.05
    assert_moments(w, 0.0, 0.01 ** 2 / 12 * 100)


def test_random_normal():
    w = I.RandomNormal(mean=2.0, stddev=0.5, seed=6)(SHAPE)
    assert_moments(w, 2.0, 0.25)
    assert np.abs(w - 2.0).max() > 1.5  # not truncated
    assert_moments(I.RandomNormal(seed=6)(SHAPE), 0.0, 0.05 ** 2)


def test_truncated_normal():
    w = I.TruncatedNormal(mean=1.0, stddev=0.5, seed=7)(SHAPE)
    assert np.abs(w - 1.0).max() <= 1.0 + 1e-6
    assert np.abs(w - 1.0).max() > 0.99
    assert_moments(w, 1.0, (0.5 * TRUNC_STD) ** 2)


def test_constant_zeros_ones():
    np.testing.assert_array_equal(I.Zeros()((2, 3)), np.zeros((2, 3), np.float32))
    np.testing.assert_array_equal(I.Ones()((2, 3)), np.ones((2, 3), np.float32))
    np.testing.assert_array_equal(I.Constant(1.5)((2, 3)), np.full((2, 3), 1.5, np.float32))
    np.testing.assert_array_equal(I.Constant([1.0, 2.0, 3.0])((2, 3)),
                                  np.tile(np.float32([1, 2, 3]), (2, 1)))
    for init in (I.Zeros(), I.Ones(), I.Constant(2.0)):
        assert init((2,)).dtype == np.float32
        assert init((2,), dtype="float64").dtype == np.float64


def test_constant_array_config_round_trip():
    init = I.Constant(np.array([1.0, 2.0], "float32"))
    clone = I.Constant.from_config(init.get_config())
    np.testing.assert_array_equal(clone((3, 2)), init((3, 2)))


@pytest.mark.parametrize("shape", [(50, 50), (200, 30), (30, 200), (4, 5, 6), (2, 3, 4, 40)],
                         ids=["square", "tall", "wide", "3d", "4d"])
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_orthogonal(shape, gain):
    w = I.Orthogonal(gain=gain, seed=8)(shape)
    assert w.shape == shape and w.dtype == np.float32
    q = w.reshape(-1, shape[-1]).astype(np.float64) / gain
    rows, cols = q.shape
    gram = q.T @ q if rows >= cols else q @ q.T
    np.testing.assert_allclose(gram, np.eye(min(rows, cols)), atol=1e-5)


def test_orthogonal_is_uniformly_random():
    """Entries of a random orthogonal n x n matrix have mean 0 and variance 1 / n."""
    w = np.stack([I.Orthogonal(seed=s)((40, 40)) for s in range(50)])
    assert_moments(w, 0.0, 1 / 40, rtol=0.05)


def test_orthogonal_needs_rank_2():
    with pytest.raises(ValueError, match=r"Received: shape=\(3,\)"):
        I.Orthogonal()((3,))


def test_identity():
    np.testing.assert_array_equal(I.Identity()((3, 3)), np.eye(3, dtype=np.float32))
    np.testing.assert_array_equal(I.Identity(gain=2.0)((2, 4)), 2 * np.eye(2, 4, dtype=np.float32))
    with pytest.raises(ValueError, match=r"Received: shape=\(2, 2, 2\)"):
        I.Identity()((2, 2, 2))


RANDOM = [I.RandomNormal, I.RandomUniform, I.TruncatedNormal, I.VarianceScaling, I.Orthogonal,
          I.GlorotUniform, I.GlorotNormal, I.HeUniform, I.HeNormal, I.LecunUniform, I.LecunNormal]


@pytest.mark.parametrize("cls", RANDOM, ids=[c.__name__ for c in RANDOM])
def test_seeding(cls):
    a = cls(seed=11)
    np.testing.assert_array_equal(a((6, 5)), a((6, 5)))  # same values on every call (as Keras)
    np.testing.assert_array_equal(a((6, 5)), cls(seed=11)((6, 5)))
    assert not np.array_equal(a((6, 5)), cls(seed=12)((6, 5)))
    unseeded = cls()
    assert not np.array_equal(unseeded((6, 5)), unseeded((6, 5)))
    nbkeras.utils.set_random_seed(3)
    first = cls()((6, 5))
    nbkeras.utils.set_random_seed(3)
    np.testing.assert_array_equal(cls()((6, 5)), first)
    assert a((6, 5), dtype="float64").dtype == np.float64


def test_seeded_layer_weights_are_reproducible():
    def kernel():
        layer = nbkeras.layers.Dense(4, kernel_initializer=I.HeNormal(seed=5))
        layer(np.zeros((1, 3), "float32"))
        return layer.get_weights()[0]

    np.testing.assert_array_equal(kernel(), kernel())


# Keras 3.15's get_config() keys.
KEYS = {
    I.Zeros: set(), I.Ones: set(), I.Constant: {"value"}, I.Identity: set(),
    I.RandomNormal: {"seed", "mean", "stddev"}, I.TruncatedNormal: {"seed", "mean", "stddev"},
    I.RandomUniform: {"seed", "minval", "maxval"}, I.Orthogonal: {"seed", "gain"},
    I.VarianceScaling: {"seed", "scale", "mode", "distribution", "input_axes", "output_axes"},
    **{getattr(I, p[0]): {"seed", "input_axes", "output_axes"} for p in PRESETS},
}


@pytest.mark.parametrize("cls", list(KEYS), ids=[c.__name__ for c in KEYS])
def test_config_keys_and_round_trip(cls):
    init = cls()
    assert set(init.get_config()) == KEYS[cls]
    clone = cls.from_config(init.get_config())
    assert clone.get_config() == init.get_config()
    again = I.deserialize(I.serialize(init))
    assert type(again) is cls and again.get_config() == init.get_config()
    assert I.serialize(init)["module"] == "keras.initializers"


@pytest.mark.parametrize("name", ["glorot_uniform", "GlorotUniform", "he_normal", "orthogonal",
                                  "OrthogonalInitializer", "identity", "zeros", "ones",
                                  "truncated_normal", "variance_scaling", "random_uniform"])
def test_get_by_name(name):
    init = I.get(name)
    assert isinstance(init, I.Initializer)
    assert init((3, 3)).shape == (3, 3)


@pytest.mark.parametrize("kwargs,received", [
    ({"scale": 0.0}, "scale=0.0"),
    ({"mode": "fan_sum"}, "mode='fan_sum'"),
    ({"distribution": "cauchy"}, "distribution='cauchy'"),
    ({"seed": "1"}, "seed='1'"),
])
def test_variance_scaling_errors(kwargs, received):
    with pytest.raises(ValueError, match="Received: " + received):
        I.VarianceScaling(**kwargs)
