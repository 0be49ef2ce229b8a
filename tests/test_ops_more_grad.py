"""Finite-difference gradient checks of the differentiable ops of ops/linalg.py,
ops/nan_reductions.py, ops/numpy_extra.py, ops/scatter.py and ops/nn_extra.py (the
helpers of test_ops_grad.py: tape gradient of sum(fn(*args) * R) vs central differences
in float64). Symmetric-matrix ops (cholesky, eigh, logdet) take a free matrix and build
their symmetric positive-definite input inside `fn`, so every perturbation is valid."""

import numpy as np
import pytest

from nbkeras import ops
from test_ops_grad import avoid, check_grad, rnd

A = rnd(3, 4, seed=31)
X3 = rnd(2, 3, 4, seed=32)
SQ = rnd(2, 3, 3, seed=33) + 3 * np.eye(3)
FREE = rnd(2, 3, 3, seed=34)
RECT = rnd(4, 3, seed=35)
DISTINCT = np.random.default_rng(36).permutation(24).reshape(2, 3, 4) / 7.0 - 1.5
NANA = A.copy()
NANA[0, 1] = NANA[2, 0] = np.nan


def spd(m):
    return ops.matmul(m, ops.swapaxes(m, -1, -2)) + 2.0 * np.eye(3)


def with_nans(fn):
    """fn of A with NaNs put back at NANA's NaN positions (the gradient must skip them)."""
    mask = np.isnan(NANA)
    return lambda a: fn(ops.where(mask, np.nan, a))


def cat(*parts):
    return ops.concatenate([ops.reshape(p, (-1,)) for p in parts], axis=0)


CASES = [
    # linear algebra
    ("inv", ops.inv, [SQ]),
    ("det", ops.det, [SQ]),
    ("logdet", lambda m: ops.logdet(spd(m)), [FREE]),
    ("solve-vector", ops.solve, [SQ, rnd(2, 3, seed=1)]),
    ("solve-matrix", ops.solve, [SQ, rnd(2, 3, 2, seed=2)]),
    ("solve-broadcast", ops.solve, [SQ[0], rnd(3, 2, seed=3)]),
    ("solve_triangular-lower", lambda a, b: ops.solve_triangular(a, b, lower=True),
     [SQ, rnd(2, 3, 2, seed=4)]),
    ("solve_triangular-upper", ops.solve_triangular, [SQ[0], rnd(3, seed=5)]),
    ("cholesky", lambda m: ops.cholesky(spd(m)), [FREE]),
    ("cholesky-upper", lambda m: ops.cholesky(spd(m), upper=True), [FREE]),
    ("cholesky_inverse", lambda m: ops.cholesky_inverse(ops.cholesky(spd(m))), [FREE[0]]),
    ("svd-values", lambda m: ops.svd(m, compute_uv=False), [rnd(2, 4, 3, seed=6)]),
    ("svd-values-wide", lambda m: ops.svd(m, compute_uv=False)[..., :2], [rnd(3, 5, seed=7)]),
    ("eigh-values", lambda m: ops.eigh(spd(m))[0], [FREE]),
    ("eigh-vectors", lambda m: ops.eigh(spd(m))[1] * ops.eigh(spd(m))[1], [FREE]),
    ("eigh-vectors-projector", lambda m: ops.matmul(ops.eigh(spd(m))[1][..., :, 2:],
                                                    ops.swapaxes(ops.eigh(spd(m))[1][..., :, 2:],
                                                                 -1, -2)), [FREE]),
    ("pinv", ops.pinv, [RECT]),
    ("pinv-wide", ops.pinv, [rnd(2, 2, 4, seed=8)]),
    ("lstsq", ops.lstsq, [RECT, rnd(4, seed=9)]),
    ("lstsq-matrix", ops.lstsq, [RECT, rnd(4, 2, seed=10)]),
    ("norm-nuc", lambda m: ops.norm(m, "nuc"), [RECT]),
    ("norm-2", lambda m: ops.norm(m, 2, axis=(1, 2)), [X3]),
    ("norm--2", lambda m: ops.norm(m, -2, axis=(-1, -2), keepdims=True), [X3]),
    # NaN reductions
    ("nansum", with_nans(lambda a: ops.nansum(a, axis=1)), [A]),
    ("nanmean", with_nans(lambda a: ops.nanmean(a, axis=0)), [A]),
    ("nanmax", with_nans(lambda a: ops.nanmax(a, axis=1)), [DISTINCT[0]]),
    ("nanmin", with_nans(ops.nanmin), [DISTINCT[0]]),
    ("nanprod", with_nans(lambda a: ops.nanprod(a, axis=1)), [A]),
    ("nanvar", with_nans(lambda a: ops.nanvar(a, axis=1)), [A]),
    ("nanstd", with_nans(ops.nanstd), [A]),
    ("nancumsum", with_nans(lambda a: ops.nancumsum(a, axis=1)), [A]),
    ("nancumprod", with_nans(ops.nancumprod), [rnd(3, 4, lo=0.5, hi=1.5, seed=11)]),
    # NumPy's long tail
    ("append", lambda a, b: ops.append(a, b, axis=0), [A, rnd(2, 4, seed=12)]),
    ("diff", lambda a: ops.diff(a, n=2, axis=1), [X3]),
    ("kron", ops.kron, [rnd(2, 3, seed=13), rnd(3, 2, seed=14)]),
    ("cross", ops.cross, [rnd(4, 3, seed=15), rnd(4, 3, seed=16)]),
    ("cross-2d", ops.cross, [rnd(4, 2, seed=15), rnd(4, 3, seed=16)]),
    ("rot90", lambda a: ops.rot90(a, 1, (1, 2)), [X3]),
    ("rot90-3", lambda a: ops.rot90(a, 3), [A]),
    ("average", lambda a, w: ops.average(a, axis=1, weights=w),
     [A, rnd(4, lo=0.5, hi=2.0, seed=17)]),
    ("ptp", lambda a: ops.ptp(a, axis=1), [DISTINCT]),
    ("select", lambda a, b: ops.select([a > 1, a < -1], [a * 2, b], default=0.5), [A, A[::-1]]),
    ("inner", ops.inner, [A, rnd(2, 4, seed=18)]),
    ("vdot", ops.vdot, [A, rnd(3, 4, seed=19)]),
    ("dstack", lambda a, b: ops.dstack([a, b]), [A, rnd(3, 4, seed=20)]),
    ("diagflat", lambda a: ops.diagflat(a, 1), [rnd(2, 2, seed=21)]),
    ("trapezoid", lambda y, x: ops.trapezoid(y, x), [A, np.cumsum(rnd(4, lo=0.1, hi=1.0))]),
    ("vander", lambda a: ops.vander(a, 3), [rnd(4, seed=22)]),
    ("corrcoef", ops.corrcoef, [rnd(3, 6, seed=23)]),
    ("sinc", ops.sinc, [avoid(A, [0])]),
    ("deg2rad", ops.deg2rad, [A]),
    ("rad2deg", ops.rad2deg, [A]),
    ("logaddexp2", ops.logaddexp2, [A, rnd(4, seed=24)]),
    ("heaviside", lambda b: ops.heaviside(np.array([-1.0, 0.0, 2.0, 0.0]), b), [rnd(4, seed=25)]),
    ("fmax", ops.fmax, [DISTINCT[0], DISTINCT[1][::-1]]),
    ("fmin", ops.fmin, [DISTINCT[0], DISTINCT[1][::-1]]),
    ("array_split", lambda a: cat(*[p * (i + 1.0) for i, p in enumerate(
        ops.array_split(a, 3, axis=1))]), [rnd(2, 7, seed=26)]),
    ("hsplit", lambda a: cat(*[p * (i + 1.0) for i, p in enumerate(ops.hsplit(a, 2))]), [A]),
    # scatter, segments, math
    ("scatter", lambda v: ops.scatter(np.array([[0, 1], [2, 0], [0, 1]]), v, (3, 2)),
     [rnd(3, seed=27)]),
    ("scatter_update", lambda a, u: ops.scatter_update(a, np.array([[0, 1], [2, 3]]), u),
     [A, rnd(2, seed=28)]),
    ("scatter_update-add", lambda a, u: ops.scatter_update(
        a, np.array([[1], [1]]), u, reduction="add"), [A, rnd(2, 4, seed=29)]),
    ("segment_min", lambda d: ops.segment_min(d, np.array([0, 0, 1, 2, 2]), 3),
     [DISTINCT.reshape(-1)[:10].reshape(5, 2)]),
    ("segment_prod", lambda d: ops.segment_prod(d, np.array([1, 0, 0, 1, 3]), 4),
     [rnd(5, 2, lo=0.5, hi=1.5, seed=30)]),
    ("erfc", ops.erfc, [A]),
    ("cdist", ops.cdist, [rnd(3, 4, seed=41), rnd(5, 4, seed=42)]),
    # nn
    ("celu", lambda a: ops.celu(a, alpha=0.7), [avoid(A, [0])]),
    ("glu", ops.glu, [A]),
    ("glu-axis", lambda a: ops.glu(a, axis=0), [rnd(4, 3, seed=43)]),
    ("log_sigmoid", ops.log_sigmoid, [A * 5]),
    ("hard_shrink", ops.hard_shrink, [avoid(A, [-0.5, 0.5])]),
    ("soft_shrink", lambda a: ops.soft_shrink(a, 0.8), [avoid(A, [-0.8, 0.8])]),
    ("tanh_shrink", ops.tanh_shrink, [A]),
    ("hard_tanh", ops.hard_tanh, [avoid(A, [-1, 1])]),
    ("sparse_plus", ops.sparse_plus, [avoid(A, [-1, 1])]),
    ("sparse_sigmoid", ops.sparse_sigmoid, [avoid(A, [-1, 1])]),
    ("squareplus", lambda a: ops.squareplus(a, 2), [A]),
    ("threshold", lambda a: ops.threshold(a, 0.3, -2.0), [avoid(A, [0.3])]),
    # Keras's sparsemax jumps where its support changes: an input clear of those points.
    ("sparsemax", ops.sparsemax, [DISTINCT * 3.0]),
    ("psnr", lambda a, b: ops.psnr(a, b, 1.0), [rnd(2, 3, lo=0, hi=1, seed=44),
                                                  rnd(2, 3, lo=0, hi=1, seed=45)]),
    ("normalize", ops.normalize, [A]),
    ("normalize-order1", lambda a: ops.normalize(a, axis=0, order=1), [avoid(A, [0])]),
    ("layer_normalization", lambda a, g, b: ops.layer_normalization(a, g, b),
     [X3, rnd(4, seed=46), rnd(4, seed=47)]),
    ("layer_normalization-axes", lambda a: ops.layer_normalization(a, axis=(1, 2)), [X3]),
    ("layer_normalization-rms", lambda a, g: ops.layer_normalization(a, g, rms_scaling=True),
     [X3, rnd(4, seed=48)]),
    ("rms_normalization", lambda a, s: ops.rms_normalization(a, s, epsilon=0.1),
     [X3, rnd(4, seed=49)]),
    # convolutions
    ("depthwise_conv", lambda x, k: ops.depthwise_conv(x, k, strides=2, padding="same"),
     [rnd(1, 5, 4, 2, seed=50), rnd(3, 3, 2, 2, seed=51)]),
    ("depthwise_conv-1d", lambda x, k: ops.depthwise_conv(x, k, dilation_rate=2),
     [rnd(2, 7, 2, seed=52), rnd(2, 2, 1, seed=53)]),
    ("separable_conv", ops.separable_conv,
     [rnd(1, 5, 4, 2, seed=54), rnd(3, 3, 2, 2, seed=55), rnd(1, 1, 4, 3, seed=56)]),
    ("conv_transpose", lambda x, k: ops.conv_transpose(x, k, strides=2, padding="same"),
     [rnd(1, 3, 2, 2, seed=57), rnd(3, 3, 3, 2, seed=58)]),
    # signal and small ops
    ("extract_sequences", lambda a: ops.extract_sequences(a, 4, 3), [rnd(2, 11, seed=61)]),
    ("stft", lambda a: cat(*ops.stft(a, 8, 4, 8)), [rnd(2, 24, seed=62)]),
    ("stft-hamming", lambda a: cat(*ops.stft(a, 6, 3, 10, window="hamming", center=False)),
     [rnd(30, seed=63)]),
    ("istft", lambda r, i: ops.istft((r, i), 8, 4, 8), [rnd(2, 7, 5, seed=64),
                                                        rnd(2, 7, 5, seed=65)]),
    ("correlate", lambda a, v: ops.correlate(a, v, "same"), [rnd(7, seed=66), rnd(4, seed=67)]),
    ("correlate-full-swap", lambda a, v: ops.correlate(a, v, "full"),
     [rnd(3, seed=68), rnd(5, seed=69)]),
    ("depth_to_space", lambda a: ops.depth_to_space(a, 2), [rnd(1, 2, 3, 8, seed=70)]),
    ("space_to_depth-cf", lambda a: ops.space_to_depth(a, 2, "channels_first"),
     [rnd(1, 2, 4, 4, seed=71)]),
    ("erfinv", ops.erfinv, [rnd(3, 4, lo=-0.95, hi=0.95, seed=72)]),
    ("ldexp", lambda a: ops.ldexp(a, np.array([1, -2, 3, 0])), [A]),
    ("saturate_cast", lambda a: ops.saturate_cast(a, "float64"), [A]),
    ("slogdet", lambda m: ops.slogdet(m)[1], [SQ]),
    ("fabs", ops.fabs, [avoid(A, [0])]),
    ("associative_scan", lambda a: ops.associative_scan(lambda u, v: u * v + 0.0 * u, a,
                                                        axis=1), [A]),
    ("ctc_loss", lambda o: ops.ctc_loss(np.array([[1, 2, 2], [3, 1, 0]]), o, np.array([3, 2]),
                                        np.array([7, 5])), [rnd(2, 7, 5, seed=74)]),
    ("ctc_loss-blank-last", lambda o: ops.ctc_loss(np.array([[0, 1]]), o, np.array([2]),
                                                   np.array([4]), mask_index=2),
     [rnd(1, 4, 3, seed=75)]),
    ("adaptive_average_pool", lambda a: ops.adaptive_average_pool(a, (3, 2)),
     [rnd(1, 7, 5, 2, seed=76)]),
    ("adaptive_max_pool-cf", lambda a: ops.adaptive_max_pool(a, 3, "channels_first"),
     [DISTINCT.reshape(1, 2, 12)]),
    ("unfold", lambda a: ops.unfold(a, (3, 2), dilation=(1, 2), padding=1, stride=2),
     [rnd(1, 2, 5, 6, seed=77)]),
    ("fold", lambda a: ops.fold(a, (5, 4), 2), [rnd(2, 8, 12, seed=78)]),
    ("rgb_to_grayscale", ops.image.rgb_to_grayscale, [rnd(1, 2, 3, 3, lo=0, hi=1, seed=79)]),
    ("rgb_to_hsv", ops.image.rgb_to_hsv, [np.random.default_rng(80).permutation(18).reshape(
        1, 2, 3, 3) / 20.0 + 0.05]),
    ("hsv_to_rgb", ops.image.hsv_to_rgb, [np.array([[[[0.05, 0.5, 0.7], [0.4, 0.3, 0.9],
                                                       [0.7, 0.8, 0.2]]]])]),
    ("pad_images", lambda a: ops.image.pad_images(a, 1, 2, target_height=5, target_width=6),
     [rnd(1, 3, 2, 2, seed=81)]),
    ("crop_images", lambda a: ops.image.crop_images(a, 1, 0, target_height=2, target_width=2,
                                                    data_format="channels_first"),
     [rnd(2, 4, 3, seed=82)]),
    ("gaussian_blur", lambda a: ops.image.gaussian_blur(a, (5, 3), (1.5, 0.7)),
     [rnd(1, 4, 5, 2, seed=83)]),
    ("vectorized_map", lambda a: ops.vectorized_map(lambda r: ops.sum(ops.sin(r) * r), a), [A]),
    ("vectorize", lambda a, b: ops.vectorize(lambda u, v: u * ops.exp(v))(a, b),
     [A, rnd(4, seed=73)]),
    ("conv_transpose-1d-cf", lambda x, k: ops.conv_transpose(
        x, k, strides=2, output_padding=1, data_format="channels_first"),
     [rnd(2, 2, 3, seed=59), rnd(3, 2, 2, seed=60)]),
]


@pytest.mark.parametrize("fn, args", [(f, a) for _, f, a in CASES], ids=[n for n, _, _ in CASES])
def test_gradient_matches_finite_differences(fn, args):
    check_grad(fn, args)


def test_gradient_through_svd_vectors_and_qr_says_it_is_missing():
    with ops.GradientTape() as tape:
        x = tape.watch(RECT.copy())
        u, s, v = ops.svd(x)
        loss = ops.sum(u) + ops.sum(s)
    with pytest.raises(NotImplementedError, match="Received:"):
        tape.gradient(loss, x)
