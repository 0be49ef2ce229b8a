"""Finite-difference gradient checks of the differentiable ops of ops/array.py, ops/math.py,
ops/control.py and `image.extract_patches` (the pattern and helpers of test_ops_grad.py),
and functional models built from them on symbolic tensors."""

import numpy as np
import pytest

import nbkeras
from nbkeras import ops
from test_ops_grad import avoid, check_grad, rnd

A = rnd(3, 4, seed=11)
X3 = rnd(2, 3, 4, seed=12)
POS = rnd(2, 3, 4, lo=0.5, hi=1.5, seed=13)
DISTINCT = np.random.default_rng(14).permutation(24).reshape(2, 3, 4) / 7.0 - 1.5


def cat(*parts):
    return ops.concatenate([ops.reshape(p, (-1,)) for p in parts], axis=0)


def split_mix(a):
    return cat(*[p * (i + 1.0) for i, p in enumerate(ops.split(a, [1, 3], axis=-1))])


@ops.custom_gradient
def clip_grad_identity(x):
    """Identity forward; the gradient is the upstream one doubled (differs from autodiff)."""
    return x, lambda g: g * 2.0


@ops.custom_gradient
def softplus_custom(x):
    e = ops.exp(x)
    return ops.log(1.0 + e), lambda g: g * (e / (1.0 + e))


CASES = [
    ("broadcast_to", lambda a: ops.broadcast_to(a, (2, 3, 4)), [rnd(3, 1, seed=1)]),
    ("slice", lambda a: ops.slice(a, (0, 1, 1), (2, 2, 3)), [X3]),
    ("slice_update", lambda a, u: ops.slice_update(a, (1, 0, 2), u), [X3, rnd(1, 2, 2)]),
    ("split", split_mix, [A]),
    ("cumsum", lambda a: ops.cumsum(a, axis=1), [X3]),
    ("cumsum-flat", ops.cumsum, [A]),
    ("cumprod", lambda a: ops.cumprod(a, axis=-1), [POS]),
    ("cumprod-flat", ops.cumprod, [POS[0]]),
    ("sort", lambda a: ops.sort(a, axis=1), [DISTINCT]),
    ("sort-flat", lambda a: ops.sort(a, axis=None), [DISTINCT]),
    ("top_k", lambda a: ops.top_k(a, 2)[0], [DISTINCT]),
    ("tril", lambda a: ops.tril(a, -1), [X3]),
    ("triu", lambda a: ops.triu(a, 1), [A]),
    ("tile", lambda a: ops.tile(a, (2, 1, 2)), [A]),
    ("repeat", lambda a: ops.repeat(a, 2, axis=1), [A]),
    ("repeat-list", lambda a: ops.repeat(a, [1, 0, 3], axis=0), [A]),
    ("repeat-flat", lambda a: ops.repeat(a, 3), [A]),
    ("flip", lambda a: ops.flip(a, axis=(0, 2)), [X3]),
    ("roll", lambda a: ops.roll(a, 2, axis=-1), [X3]),
    ("roll-flat", lambda a: ops.roll(a, -5), [A]),
    ("take_along_axis-dups", lambda a: ops.take_along_axis(
        a, np.array([[0, 0, 3], [1, 1, 1], [2, -1, 0]]), axis=1), [A]),
    ("diag-vector", lambda a: ops.diag(a, 1), [rnd(3)]),
    ("diag-matrix", lambda a: ops.diag(a, -1), [A]),
    ("diag-matrix-k", lambda a: ops.diag(a, 2), [A]),
    ("erf", ops.erf, [rnd(3, 4, lo=-4.0, hi=4.0)]),
    ("segment_sum", lambda a: ops.segment_sum(a, np.array([0, 0, 2, 2, -1]), 3), [rnd(5, 2)]),
    ("segment_max", lambda a: ops.segment_max(a, np.array([1, 0, 0, 1, 1]), 2),
     [DISTINCT.reshape(-1)[:10].reshape(5, 2)]),
    ("norm", ops.norm, [X3]),
    ("norm-axis", lambda a: ops.norm(a, axis=-1, keepdims=True), [X3]),
    ("norm-ord1", lambda a: ops.norm(a, ord=1, axis=1), [avoid(X3, [0])]),
    ("norm-ord3", lambda a: ops.norm(a, ord=3, axis=0), [avoid(A, [0])]),
    ("norm-inf", lambda a: ops.norm(a, ord=np.inf, axis=1), [DISTINCT[0]]),
    ("norm-fro", lambda a: ops.norm(a, ord="fro", axis=(1, 2)), [X3]),
    ("norm-mat1", lambda a: ops.norm(a, ord=1), [avoid(DISTINCT[0], [0])]),
    ("norm-matinf", lambda a: ops.norm(a, ord=-np.inf, axis=(-2, -1)), [avoid(DISTINCT, [0])]),
    ("fft", lambda r, i: cat(*ops.fft((r, i))), [rnd(2, 6, seed=3), rnd(2, 6, seed=4)]),
    ("fft2", lambda r, i: cat(*ops.fft2((r, i))), [rnd(2, 3, 4, seed=3), rnd(2, 3, 4, seed=4)]),
    ("ifft2", lambda r, i: cat(*ops.ifft2((r, i))), [rnd(3, 4, seed=5), rnd(3, 4, seed=6)]),
    ("rfft", lambda a: cat(*ops.rfft(a)), [rnd(2, 8)]),
    ("rfft-odd", lambda a: cat(*ops.rfft(a)), [rnd(2, 7)]),
    ("rfft-pad", lambda a: cat(*ops.rfft(a, fft_length=9)), [rnd(2, 6)]),
    ("rfft-crop", lambda a: cat(*ops.rfft(a, fft_length=5)), [rnd(2, 8)]),
    ("irfft", lambda r, i: ops.irfft((r, i)), [rnd(2, 5, seed=7), rnd(2, 5, seed=8)]),
    ("irfft-odd-pad", lambda r, i: ops.irfft((r, i), fft_length=9),
     [rnd(2, 4, seed=9), rnd(2, 4, seed=10)]),
    ("irfft-crop", lambda r, i: ops.irfft((r, i), fft_length=4),
     [rnd(3, 6, seed=11), rnd(3, 6, seed=12)]),
    ("extract_patches", lambda a: ops.image.extract_patches(a, 2), [rnd(1, 4, 5, 2)]),
    ("extract_patches-same", lambda a: ops.image.extract_patches(
        a, (3, 2), strides=1, padding="same"), [rnd(1, 4, 4, 2)]),
    ("extract_patches-unbatched-cf", lambda a: ops.image.extract_patches(
        a, 2, data_format="channels_first"), [rnd(2, 4, 4)]),
    ("custom_gradient", softplus_custom, [A]),
    ("scan", lambda a, c: ops.scan(lambda s, x: (s * x + 1.0, ops.sin(s)), c, a)[1], [A, rnd(4)]),
    ("scan-carry-reverse", lambda a: ops.scan(lambda s, x: (s * 0.5 + ops.exp(x), s), np.zeros(4), a,
                                              reverse=True)[0], [A]),
    ("fori_loop", lambda a: ops.fori_loop(0, 3, lambda i, v: ops.tanh(v) * (i + 1.0), a), [A]),
    ("while_loop", lambda a: ops.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v * v + a),
                                            (0, a))[1], [rnd(3, lo=-0.5, hi=0.5)]),
    ("cond", lambda a: ops.cond(True, lambda: ops.square(a), lambda: a), [A]),
    ("map", lambda a: ops.map(lambda r: ops.sum(r * r), a), [A]),
    ("tan", ops.tan, [rnd(3, 4, lo=-1.2, hi=1.2)]),
    ("sinh", ops.sinh, [A]),
    ("cosh", ops.cosh, [A]),
    ("arcsin", ops.arcsin, [rnd(3, 4, lo=-0.9, hi=0.9)]),
    ("arccos", ops.arccos, [rnd(3, 4, lo=-0.9, hi=0.9)]),
    ("arctan", ops.arctan, [A]),
    ("arcsinh", ops.arcsinh, [A]),
    ("arccosh", ops.arccosh, [rnd(3, 4, lo=1.2, hi=3.0)]),
    ("arctanh", ops.arctanh, [rnd(3, 4, lo=-0.9, hi=0.9)]),
    ("log2", ops.log2, [POS]),
    ("log10", ops.log10, [POS]),
    ("exp2", ops.exp2, [A]),
    ("reciprocal", ops.reciprocal, [POS]),
    ("rsqrt", ops.rsqrt, [POS]),
    ("cbrt", ops.cbrt, [avoid(A, [0], 0.3)]),
    ("arctan2", ops.arctan2, [A, avoid(rnd(3, 4, seed=21), [0], 0.3)]),
    ("logaddexp", ops.logaddexp, [A, rnd(4, seed=22)]),
    ("hypot", ops.hypot, [A, rnd(3, 1, seed=23)]),
    ("ravel", ops.ravel, [X3]),
    ("swapaxes", lambda a: ops.swapaxes(a, 0, 2), [X3]),
    ("moveaxis", lambda a: ops.moveaxis(a, [0, 1], [-1, 0]), [X3]),
    ("hstack", lambda a, b: ops.hstack([a, b]), [A, rnd(3, 2)]),
    ("vstack", lambda a, b: ops.vstack([a, b]), [rnd(4), A]),
    ("unstack", lambda a: cat(*[p * (i + 1.0) for i, p in enumerate(ops.unstack(a, axis=1))]),
     [X3]),
    ("diagonal", lambda a: ops.diagonal(a, 1, 1, 2), [X3]),
    ("diagonal-neg", lambda a: ops.diagonal(a, -1), [A]),
    ("trace", lambda a: ops.trace(a, axis1=-2, axis2=-1), [X3]),
    ("outer", ops.outer, [rnd(3), rnd(2, 2)]),
    ("copy", ops.copy, [A]),
    ("nan_to_num", ops.nan_to_num, [A]),
    ("median", lambda a: ops.median(a, axis=1), [DISTINCT]),
    ("median-even", ops.median, [DISTINCT[0]]),
    ("quantile", lambda a: ops.quantile(a, [0.1, 0.5, 0.95], axis=(0, 2), keepdims=True),
     [DISTINCT]),
    ("percentile", lambda a: ops.percentile(a, 30.0, axis=-1), [DISTINCT]),
    ("quantile-nearest", lambda a: ops.quantile(a, 0.6, axis=0, method="nearest"), [DISTINCT[0]]),
]
for _name, _fn, _op in [("pad-constant", "constant", None), ("pad-reflect", "reflect", None),
                        ("pad-symmetric", "symmetric", None), ("pad-edge", "edge", None),
                        ("pad-wrap", "wrap", None)]:
    CASES.append((_name, lambda a, _m=_fn: ops.pad(a, [[2, 1], [1, 3]], mode=_m), [A]))


@pytest.mark.parametrize("fn, args", [(f, a) for _, f, a in CASES], ids=[n for n, _, _ in CASES])
def test_gradient_matches_finite_differences(fn, args):
    check_grad(fn, args)


def test_custom_gradient_uses_the_given_gradient_and_keras_upstream_keyword():
    x = nbkeras.Variable(np.array([1.0, -2.0], "float32"))
    with ops.GradientTape() as tape:
        y = ops.sum(clip_grad_identity(x) * 3.0)
    np.testing.assert_allclose(tape.gradient(y, x), [6.0, 6.0])

    @ops.custom_gradient
    def f(x):
        def grad(*args, upstream=None):
            if upstream is None:
                (upstream,) = args
            return upstream * 0.0 + 5.0
        return ops.square(x), grad

    with ops.GradientTape() as tape:
        y = ops.sum(f(x))
    np.testing.assert_allclose(tape.gradient(y, x), [5.0, 5.0])
    np.testing.assert_allclose(f(np.array([3.0])), [9.0])  # no tape: the plain value


def test_ops_without_gradient_do_not_track():
    with ops.GradientTape() as tape:
        x = tape.watch(A)
        for fn in (ops.floor, ops.ceil, ops.round, ops.argsort, ops.isnan):
            assert not isinstance(fn(x), ops.Tensor)


def test_ops_work_on_symbolic_tensors_in_a_functional_model():
    inp = nbkeras.Input((4, 6), name="x")
    h = nbkeras.layers.Dense(6, name="proj")(inp)
    a, b = ops.split(h, 2, axis=-1)
    c = ops.cumsum(ops.erf(a), axis=1) + ops.flip(b, axis=1)
    d = ops.pad(ops.tril(c), [[0, 0], [1, 0], [0, 0]])
    vals, _ = ops.top_k(ops.reshape(d, (-1, 15)), 3)
    re, im = ops.rfft(ops.sort(d[:, :, 0], axis=-1))
    feat = ops.concatenate([vals, re, im, ops.norm(c, axis=-1)], axis=-1)
    out = nbkeras.layers.Dense(1, name="head")(feat)
    model = nbkeras.Model(inp, out)
    assert tuple(vals.shape) == (None, 3) and tuple(re.shape) == (None, 3)
    x = np.random.default_rng(0).normal(size=(5, 4, 6)).astype("float32")
    y = np.random.default_rng(1).normal(size=(5, 1)).astype("float32")

    def by_hand(xv):
        hv = xv @ model.get_layer("proj").kernel.numpy() + model.get_layer("proj").bias.numpy()
        av, bv = np.split(hv, 2, axis=-1)
        cv = np.cumsum(ops.erf(av), axis=1) + bv[:, ::-1]
        dv = np.pad(np.tril(cv), [[0, 0], [1, 0], [0, 0]])
        v = -np.sort(-dv.reshape(-1, 15), axis=-1)[:, :3]
        f = np.fft.rfft(np.sort(dv[:, :, 0], axis=-1))
        fv = np.concatenate([v, f.real, f.imag, np.linalg.norm(cv, axis=-1)], -1)
        return fv @ model.get_layer("head").kernel.numpy() + model.get_layer("head").bias.numpy()

    np.testing.assert_allclose(model.predict(x, verbose=0), by_hand(x), rtol=1e-4, atol=1e-5)
    model.compile(optimizer="sgd", loss="mse")
    before = model.get_layer("proj").kernel.numpy().copy()
    hist = model.fit(x, y, epochs=2, verbose=0)
    assert np.all(np.isfinite(hist.history["loss"]))
    after = model.get_layer("proj").kernel.numpy()
    assert np.all(np.isfinite(after)) and not np.allclose(before, after)


def test_models_with_the_new_op_nodes_save_and_load_with_the_same_predictions(tmp_path):
    x = nbkeras.Input((4,))
    outs = [ops.cumsum(x, axis=1), ops.top_k(x, 2)[0], ops.pad(x, [[0, 0], [1, 1]]),
            ops.sort(x), ops.quantile(x, [0.2, 0.5], axis=1), ops.erf(x), ops.rfft(x)[0],
            ops.fft((x, x))[1], ops.slice_update(x, (0, 1), ops.slice(x, (0, 0), (3, 2))),
            ops.norm(x, axis=1), ops.split(x, 2, axis=1)[1],
            ops.take_along_axis(x, np.array([[1, 0]]), axis=1),
            ops.segment_sum(ops.transpose(x), np.array([0, 0, 1, 1]), 2),
            ops.repeat(x, [1, 2, 0, 1], axis=1), ops.hstack([x, ops.arctan(x)]),
            ops.diagonal(ops.reshape(x, (-1, 2, 2)), axis1=1, axis2=2)]
    model = nbkeras.Model(x, outs)
    xv = np.random.default_rng(3).uniform(size=(3, 4)).astype("float32")
    model.save(tmp_path / "m.keras")
    loaded = nbkeras.models.load_model(tmp_path / "m.keras")
    for a, b in zip(model.predict(xv, verbose=0), loaded.predict(xv, verbose=0)):
        np.testing.assert_allclose(a, b, rtol=1e-6)
