"""Finite-difference gradient checks of the regression, hinge and probabilistic losses.

The gradient w.r.t. y_pred of `sum(loss(y_true, y_pred) * R)` (R a fixed random
projection, so every output element matters) from `GradientTape` is compared with
central differences in float64. Inputs stay away from the kinks: |error| == delta
(Huber), error == 0 (MAE, MAPE), margin == 0 (hinges), tied maxima (categorical
hinge) and the epsilon clip edges (MSLE, KL divergence, Poisson).
"""

import numpy as np
import pytest

from nbkeras import losses, ops
from nbkeras.ops.core import Tensor

EPS, RTOL, ATOL = 1e-6, 1e-6, 1e-8


def rnd(*shape, lo=-2.0, hi=2.0, seed=0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


def away(x, ref, points, margin=0.15):
    """Move x so that (x - ref) stays at least `margin` from every kink in `points`."""
    x = np.array(x, dtype=np.float64)
    d = x - ref
    for p in points:
        near = np.abs(d - p) < margin
        d[near] = p + np.where(d[near] >= p, margin, -margin)
    return ref + d


def probs(*shape, seed=0):
    p = rnd(*shape, lo=0.2, hi=1.0, seed=seed)
    return p / p.sum(-1, keepdims=True)


def _value(fn, yt, yp, R):
    return float(np.sum(np.asarray(ops.convert_to_numpy(fn(yt, yp))) * R))


def check_grad(fn, yt, yp):
    out = np.asarray(ops.convert_to_numpy(fn(yt, yp)))
    assert out.dtype == np.float64
    R = np.random.default_rng(1).uniform(0.5, 1.5, out.shape)
    with ops.GradientTape() as tape:
        x = tape.watch(np.array(yp, dtype=np.float64))
        res = fn(yt, x)
        assert isinstance(res, Tensor)
        total = ops.sum(ops.multiply(res, R))
    got = tape.gradient(total, x)
    want = np.zeros_like(yp)
    x = np.array(yp, dtype=np.float64)
    for idx in np.ndindex(x.shape):
        orig = x[idx]
        x[idx] = orig + EPS
        fp = _value(fn, yt, x, R)
        x[idx] = orig - EPS
        fm = _value(fn, yt, x, R)
        x[idx] = orig
        want[idx] = (fp - fm) / (2 * EPS)
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)


T = rnd(4, 3, seed=2)
P = away(rnd(4, 3, seed=3), T, [0.0])
POS_T = rnd(4, 3, lo=0.3, hi=3.0, seed=4)
POS_P = away(rnd(4, 3, lo=0.3, hi=3.0, seed=5), POS_T, [0.0])
HUBER_P = away(rnd(4, 3, lo=-4, hi=4, seed=6), T, [-1.0, 1.0])
HUBER_P05 = away(rnd(4, 3, lo=-4, hi=4, seed=6), T, [-0.5, 0.5], margin=0.1)
LABELS01 = (rnd(4, 3, seed=7) > 0).astype(np.float64)
LABELS_PM1 = 2 * LABELS01 - 1
# margins 1 - y * p away from 0 for both label sets (y = +-1 after mapping)
HINGE_P = rnd(4, 3, lo=-3, hi=3, seed=8)
HINGE_P = np.where(np.abs(np.abs(HINGE_P) - 1) < 0.15, HINGE_P * 1.5, HINGE_P)
ONEHOT = np.eye(3)[[0, 2, 1, 1]]
CAT_P = np.array([[0.9, -0.6, 0.1], [0.3, 1.2, 2.8], [-1.0, 0.4, 0.9], [0.5, 2.0, -0.5]])
KL_T = probs(4, 3, seed=9)
KL_P = probs(4, 3, seed=10)
RANK3_T, RANK3_P = rnd(2, 3, 4, seed=11), rnd(2, 3, 4, seed=12)
SW = np.array([1.0, 0.5, 2.0, 0.0])

CASES = [
    ("mean_absolute_error", losses.mean_absolute_error, T, P),
    ("mean_absolute_error-rank3", losses.mean_absolute_error, RANK3_T,
     away(RANK3_P, RANK3_T, [0.0])),
    ("mean_absolute_percentage_error", losses.mean_absolute_percentage_error, T, P),
    ("mean_absolute_percentage_error-positive", losses.mean_absolute_percentage_error,
     POS_T, POS_P),
    ("mean_squared_logarithmic_error", losses.mean_squared_logarithmic_error, POS_T, POS_P),
    ("mean_squared_logarithmic_error-neg-target", losses.mean_squared_logarithmic_error,
     T, POS_P),
    ("huber", losses.huber, T, HUBER_P),
    ("huber-delta0.5", lambda t, p: losses.huber(t, p, delta=0.5), T, HUBER_P05),
    ("log_cosh", losses.log_cosh, T, P),
    ("log_cosh-large", losses.log_cosh, T, P * 30),
    ("hinge-labels01", losses.hinge, LABELS01, HINGE_P),
    ("hinge-labels-pm1", losses.hinge, LABELS_PM1, HINGE_P),
    ("squared_hinge-labels01", losses.squared_hinge, LABELS01, HINGE_P),
    ("squared_hinge-labels-pm1", losses.squared_hinge, LABELS_PM1, HINGE_P),
    ("categorical_hinge", losses.categorical_hinge, ONEHOT, CAT_P),
    ("kl_divergence", losses.kl_divergence, KL_T, KL_P),
    ("poisson", losses.poisson, POS_T, POS_P),
    ("cosine_similarity", losses.cosine_similarity, T, P),
    ("cosine_similarity-axis0", lambda t, p: losses.cosine_similarity(t, p, axis=0), T, P),
    ("cosine_similarity-rank3", losses.cosine_similarity, RANK3_T, RANK3_P),
    # class forms: reductions and sample weights
    ("MeanAbsoluteError", losses.MeanAbsoluteError(), T, P),
    ("MeanAbsolutePercentageError-sum", losses.MeanAbsolutePercentageError(reduction="sum"),
     POS_T, POS_P),
    ("MeanSquaredLogarithmicError-sw",
     lambda t, p: losses.MeanSquaredLogarithmicError()(t, p, sample_weight=SW), POS_T, POS_P),
    ("Huber-delta2-none", losses.Huber(delta=2.0, reduction="none"), T,
     away(HUBER_P, T, [-2.0, 2.0])),
    ("LogCosh-mean_with_sample_weight",
     lambda t, p: losses.LogCosh(reduction="mean_with_sample_weight")(t, p, sample_weight=SW),
     T, P),
    ("Hinge", losses.Hinge(), LABELS01, HINGE_P),
    ("SquaredHinge-sw", lambda t, p: losses.SquaredHinge()(t, p, sample_weight=SW),
     LABELS_PM1, HINGE_P),
    ("CategoricalHinge-sum", losses.CategoricalHinge(reduction="sum"), ONEHOT, CAT_P),
    ("KLDivergence-sw", lambda t, p: losses.KLDivergence()(t, p, sample_weight=SW), KL_T, KL_P),
    ("Poisson", losses.Poisson(), POS_T, POS_P),
    ("CosineSimilarity-axis0", losses.CosineSimilarity(axis=0), T, P),
]


@pytest.mark.parametrize("name, fn, yt, yp", CASES, ids=[c[0] for c in CASES])
def test_gradient_matches_finite_differences(name, fn, yt, yp):
    check_grad(fn, yt, yp)


@pytest.mark.parametrize("name, fn, yt, yp", CASES, ids=[c[0] for c in CASES])
def test_plain_numpy_without_tape(name, fn, yt, yp):
    out = fn(yt, yp)
    assert not isinstance(out, Tensor)
    assert np.asarray(out).dtype == np.float64


def test_clipped_regions_have_zero_gradient():
    """Where Keras clips (y_pred < epsilon in MSLE, y_pred outside [epsilon, 1] in KL
    divergence) the gradient is 0; zero vectors in cosine similarity stay finite."""
    yp = np.array([[-0.5, 0.5, 2.0]])
    with ops.GradientTape() as tape:
        x = tape.watch(yp.copy())
        total = ops.sum(losses.mean_squared_logarithmic_error(np.array([[1.0, 1.0, 1.0]]), x))
    g = tape.gradient(total, x)
    assert g[0, 0] == 0 and g[0, 1] != 0
    with ops.GradientTape() as tape:
        x = tape.watch(yp.copy())
        total = ops.sum(losses.kl_divergence(np.array([[0.2, 0.3, 0.5]]), x))
    g = tape.gradient(total, x)
    assert g[0, 0] == 0 and g[0, 2] == 0 and g[0, 1] != 0
    with ops.GradientTape() as tape:
        x = tape.watch(np.zeros((2, 3)))
        total = ops.sum(losses.cosine_similarity(np.ones((2, 3)), x))
    assert np.all(np.isfinite(tape.gradient(total, x)))
