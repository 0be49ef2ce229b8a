"""The vectorizable float32 exp/tanh/sigmoid of the CPU kernels: accuracy, edge values,
and exact libm behaviour in float64."""

import math

import numpy as np
import pytest

from nbkeras.backend.cpu import fastmath
from nbkeras.backend.cpu._jit import jit


@jit
def _apply(x, out, which):
    for i in range(x.shape[0]):
        if which == 0:
            out[i] = fastmath.exp(x[i])
        elif which == 1:
            out[i] = fastmath.tanh(x[i])
        else:
            out[i] = fastmath.sigmoid(x[i])


def _run(x, which):
    out = np.empty_like(x)
    _apply(x, out, which)
    return out


def _reference(x64, which):
    if which == 0:
        return np.exp(x64)
    if which == 1:
        return np.tanh(x64)
    return 1.0 / (1.0 + np.exp(-x64))


GRID = np.concatenate([
    np.linspace(-30, 30, 600_001),
    np.geomspace(1e-9, 30, 20_000), -np.geomspace(1e-9, 30, 20_000),
    np.random.default_rng(0).standard_normal(100_000) * 4,
]).astype(np.float32)


@pytest.mark.parametrize("which,name", [(0, "exp"), (1, "tanh"), (2, "sigmoid")])
def test_float32_accuracy_in_ulps(which, name):
    got = _run(GRID, which).astype(np.float64)
    ref = _reference(GRID.astype(np.float64), which)
    ulp = np.spacing(np.abs(ref).astype(np.float32)).astype(np.float64)
    err = np.abs(got - ref) / ulp
    assert err.max() <= 8, (name, float(err.max()), float(GRID[np.argmax(err)]))
    assert np.median(err) <= 1.0, name


def test_float32_sigmoid_keeps_relative_accuracy_for_small_outputs():
    x = -np.linspace(10, 85, 1000).astype(np.float32)
    got = _run(x, 2).astype(np.float64)
    ref = 1.0 / (1.0 + np.exp(-x.astype(np.float64)))
    np.testing.assert_allclose(got, ref, rtol=2e-6)


def test_float32_edge_values():
    x = np.array([np.nan, np.inf, -np.inf, 0.0, 200.0, -200.0, 88.8, -87.5], np.float32)
    e, t, s = _run(x, 0), _run(x, 1), _run(x, 2)
    assert np.isnan(e[0]) and np.isnan(t[0]) and np.isnan(s[0])
    assert e[1] == np.inf and e[2] == 0.0 and e[3] == 1.0 and e[4] == np.inf and e[5] == 0.0
    assert e[6] == np.inf and e[7] == 0.0
    np.testing.assert_array_equal(t[1:6], [1.0, -1.0, 0.0, 1.0, -1.0])
    np.testing.assert_array_equal(s[1:6], [1.0, 0.0, 0.5, 1.0, 0.0])
    assert np.all(np.abs(_run(GRID, 1)) <= 1.0)
    sig = _run(GRID, 2)
    assert np.all((sig >= 0.0) & (sig <= 1.0))


@pytest.mark.parametrize("which,fn", [(0, math.exp), (1, math.tanh)])
def test_float64_is_libm(which, fn):
    x = np.random.default_rng(1).standard_normal(10_000) * 5
    got = _run(x, which)
    np.testing.assert_array_equal(got, [fn(v) for v in x])


def test_float64_sigmoid_is_the_stable_formula():
    x = np.array([-800.0, -30.0, -1.0, 0.0, 1.0, 30.0, 800.0])
    got = _run(x, 2)
    np.testing.assert_array_equal(got, [fastmath.sigmoid(v) for v in x])
    assert got[0] == 0.0 and got[-1] == 1.0


def test_python_fallbacks_match_math():
    assert fastmath.exp(1.5) == math.exp(1.5)
    assert fastmath.tanh(-0.3) == math.tanh(-0.3)
    assert fastmath.sigmoid(0.0) == 0.5
