"""Finite-difference gradient checks of every public differentiable op in `nbkeras.ops`.

Each case is `(fn, args, wrt)`: the analytic gradient of `sum(fn(*args) * R)` (R a fixed
random projection, so every output element matters) from `GradientTape` is compared with
central differences in float64. Inputs stay away from kinks, ties and clip edges.
"""

import numpy as np
import pytest

from finite_differences import avoid, fd
from nbkeras import losses, ops
from nbkeras.backend.activation_codes import CODES
from nbkeras.ops import nn
from nbkeras.ops.core import Tensor


def rnd(*shape, lo=-2.0, hi=2.0, seed=0):
    return np.random.default_rng(seed).uniform(lo, hi, shape)


def probs(*shape, seed=0):
    """Strictly positive rows summing to 1, far from the [eps, 1 - eps] clip bounds."""
    p = rnd(*shape, lo=0.2, hi=1.0, seed=seed)
    return p / p.sum(-1, keepdims=True)


def loss_of(fn, args, R):
    return float(np.sum(np.asarray(ops.convert_to_numpy(fn(*args))) * R))


def numeric_grad(fn, args, i, R, eps):
    args = [np.array(a, copy=True) for a in args]
    return fd(lambda: loss_of(fn, args, R), args[i], eps)


def analytic_grads(fn, args, wrt, R):
    with ops.GradientTape() as tape:
        xs = [tape.watch(np.array(a, copy=True)) if i in wrt else a for i, a in enumerate(args)]
        out = fn(*xs)
        assert isinstance(out, Tensor), f"expected a Tensor from a tracked input, got {type(out)}"
        loss = ops.sum(ops.multiply(out, R))
    return tape.gradient(loss, [xs[i] for i in wrt])


def check_grad(fn, args, wrt=None, eps=1e-6, rtol=1e-5, project=True):
    """Tape gradient of sum(fn(*args) * R) vs central differences (R = ones if not `project`)."""
    wrt = list(range(len(args))) if wrt is None else list(wrt)
    shape = np.shape(fn(*args))
    R = np.random.default_rng(99).normal(size=shape) if project else np.ones(shape)
    for i, ga in zip(wrt, analytic_grads(fn, args, wrt, R)):
        assert ga is not None, f"no gradient for input {i}"
        ga = np.asarray(ga)
        assert ga.shape == np.shape(args[i]), f"input {i}: grad shape {ga.shape}"
        assert ga.dtype == np.asarray(args[i]).dtype, f"input {i}: grad dtype {ga.dtype}"
        gn = numeric_grad(fn, args, i, R, eps)
        atol = rtol * max(1.0, float(np.abs(gn).max()))
        np.testing.assert_allclose(ga, gn, rtol=rtol, atol=atol, err_msg=f"d/d input {i}")


CASES = []


class Spec:
    def __init__(self, fn, args, wrt, eps, rtol, out64, bug):
        self.fn, self.args, self.wrt, self.eps, self.rtol = fn, args, wrt, eps, rtol
        self.out64, self.bug = out64, bug


def case(name, fn, *args, wrt=None, eps=1e-6, rtol=1e-5, out64=True, bug=None):
    """Register a case; `bug` marks its gradient check xfail(strict) with that reason."""
    CASES.append((name, Spec(fn, args, wrt, eps, rtol, out64, bug)))


def params(with_bugs):
    return [pytest.param(s, id=n, marks=[pytest.mark.xfail(strict=True, reason="BUG: " + s.bug)]
                         if with_bugs and s.bug else []) for n, s in CASES]


A, B = rnd(3, 4, seed=1), avoid(rnd(3, 4, seed=2), [0], 0.3)
X3 = rnd(2, 3, 4, seed=3)

# --- elementwise binary, with broadcasting --------------------------------------------
for nm, f in [("add", ops.add), ("subtract", ops.subtract), ("multiply", ops.multiply),
              ("divide", ops.divide), ("maximum", ops.maximum), ("minimum", ops.minimum)]:
    case(nm, f, A, B)
    case(nm + "-bcast", f, A, avoid(rnd(4, seed=4), [0], 0.3))
    case(nm + "-bcast-col", f, avoid(rnd(3, 1, seed=5), [0], 0.3), B)
case("divide_no_nan", ops.divide_no_nan, A, B)
Z = B.copy()
Z[0, 1] = Z[2, 3] = 0.0
case("divide_no_nan-zeros", ops.divide_no_nan, A, Z, wrt=[0])
POS = rnd(3, 4, lo=0.5, hi=2.0, seed=6)
case("power", ops.power, POS, rnd(3, 4, lo=-1.5, hi=2.5, seed=7))
case("power-scalar-exp", lambda a: ops.power(a, 3.0), A)

# --- elementwise unary ------------------------------------------------------------------
for nm, f, x in [
    ("negative", ops.negative, A), ("exp", ops.exp, A), ("expm1", ops.expm1, A),
    ("log", ops.log, POS), ("log1p", ops.log1p, rnd(3, 4, lo=-0.5, hi=2.0)),
    ("sqrt", ops.sqrt, POS), ("square", ops.square, A), ("abs", ops.abs, B),
    ("sin", ops.sin, A), ("cos", ops.cos, A),
    ("clip", lambda a: ops.clip(a, -1.0, 1.0), avoid(rnd(3, 4, lo=-3, hi=3), [-1, 1])),
    ("cast-f64-f64", lambda a: ops.cast(a, "float64"), A),
    ("tensor-operators", lambda a: (-a + 2.0) * a / 3.0 - 1.0 / (a + 5.0) + a ** 2 + abs(a), B),
]:
    case(nm, f, x)
case("cast-f64-f32", lambda a: ops.cast(a, "float32"), A, eps=1e-2, rtol=1e-3, out64=False)
case("cast-f32-f64", lambda a: ops.cast(a, "float64"), A.astype("float32"), eps=1e-2, rtol=1e-3)

# --- reductions -------------------------------------------------------------------------
PX3 = rnd(2, 3, 4, lo=0.6, hi=1.4, seed=8) * np.sign(rnd(2, 3, 4, seed=9))
for nm in ["sum", "mean", "max", "min", "prod", "var", "std", "logsumexp"]:
    for axis in [None, 1, -1, (0, 2)]:
        for kd in [False, True]:
            f = (lambda a, _f=getattr(ops, nm), _ax=axis, _kd=kd: _f(a, axis=_ax, keepdims=_kd))
            case(f"{nm}-axis{axis}-keepdims{kd}", f, PX3 if nm == "prod" else X3)

# --- linear algebra ---------------------------------------------------------------------
for nm, sa, sb in [("2d", (3, 4), (4, 5)), ("batched", (2, 3, 4), (2, 4, 5)),
                   ("bcast-batch", (2, 3, 4), (4, 5)), ("1d-2d", (4,), (4, 5)),
                   ("2d-1d", (3, 4), (4,)), ("1d-1d", (4,), (4,)), ("batched-1d", (2, 3, 4), (4,)),
                   ("1d-batched", (4,), (2, 4, 5))]:
    case("matmul-" + nm, ops.matmul, rnd(*sa, seed=10), rnd(*sb, seed=11))
    case("matmul-operator-" + nm, lambda a, b: a @ b, rnd(*sa, seed=10), rnd(*sb, seed=11))
for nm, sa, sb in [("2d", (3, 4), (4, 5)), ("1d", (4,), (4,)), ("2d-1d", (3, 4), (4,)),
                   ("scalar", (), (3,)), ("2d-3d", (3, 4), (2, 4, 5))]:
    case("dot-" + nm, ops.dot, rnd(*sa, seed=12), rnd(*sb, seed=13))
for nm, sa, sb, ax in [("int2", (2, 3, 4), (3, 4, 5), 2), ("int1", (3, 4), (4, 5), 1),
                       ("pairs", (3, 2, 4), (2, 3, 5), ([1, 0], [0, 1])),
                       ("neg", (3, 4), (2, 4), ([-1], [-1]))]:
    case("tensordot-" + nm, lambda a, b, _ax=ax: ops.tensordot(a, b, axes=_ax),
         rnd(*sa, seed=14), rnd(*sb, seed=15))

# --- shape manipulation -----------------------------------------------------------------
for nm, f, args in [
    ("reshape", lambda a: ops.reshape(a, (4, -1)), (X3,)),
    ("reshape-method", lambda a: a.reshape(6, 4), (X3,)),
    ("transpose-None", lambda a: ops.transpose(a), (X3,)),
    ("transpose-perm", lambda a: ops.transpose(a, (1, 0, 2)), (X3,)),
    ("transpose-neg", lambda a: ops.transpose(a, (-1, 0, 1)), (X3,)),
    ("T", lambda a: a.T, (A,)),
    ("expand_dims-1", lambda a: ops.expand_dims(a, 1), (A,)),
    ("expand_dims-neg", lambda a: ops.expand_dims(a, -1), (A,)),
    ("squeeze-None", lambda a: ops.squeeze(a), (rnd(3, 1, 4, 1),)),
    ("squeeze-axis", lambda a: ops.squeeze(a, 1), (rnd(3, 1, 4, 1),)),
    ("concatenate-0", lambda a, b, c: ops.concatenate([a, b, c]), (A, B, rnd(2, 4))),
    ("concatenate-neg", lambda a, b: ops.concatenate([a, b], axis=-1), (A, rnd(3, 2))),
    ("stack-0", lambda a, b: ops.stack([a, b]), (A, B)),
    ("stack-1", lambda a, b, c: ops.stack([a, b, c], axis=1), (A, B, A * 2)),
    ("stack-neg", lambda a, b: ops.stack([a, b], axis=-1), (A, B)),
    ("where", lambda a, b: ops.where(A > 0, a, b), (A, B)),
    ("where-bcast", lambda a, b: ops.where(A > 0, a, b), (A, rnd(4))),
    ("where-scalar", lambda a: ops.where(A > 0, a, 0.0), (A,)),
    ("tile-1", lambda a: ops.tile(a, 2), (A,)),
    ("tile-2d", lambda a: ops.tile(a, (2, 3)), (A,)),
    ("tile-grow-rank", lambda a: ops.tile(a, (2, 1, 2)), (A,)),
    ("tile-short-reps", lambda a: ops.tile(a, (2,)), (X3,)),
]:
    case(nm, f, *args)

# --- indexing: basic slicing and advanced indexing (repeated indices accumulate) ---------
for nm, key in [
    ("int", 1), ("slice", slice(1, None)), ("step", (slice(None), slice(None, None, 2))),
    ("negstep", slice(None, None, -1)), ("last", (slice(None), -1, slice(None))),
    ("ellipsis", (Ellipsis, 0)), ("newaxis", (None, 1)), ("scalar", (1, 2, 3)),
    ("list-repeat", [0, 1, 0, 0]), ("array-repeat", np.array([1, 1, 0])),
    ("cols-repeat", (slice(None), [0, 0, 2])), ("pairs-repeat", ([0, 1, 1], [2, 0, 0])),
    ("bool-mask", X3 > 0), ("2d-index", np.array([[0, 1], [1, 1]])),
]:
    case("getitem-" + nm, lambda a, _k=key: a[_k], X3)
    case("ops-getitem-" + nm, lambda a, _k=key: ops.getitem(a, _k), X3)
for nm, idx, ax in [("flat", [0, 5, 5, 23], None), ("axis1", [2, 0, 2], 1),
                    ("axis-neg", [3, 3, 1], -1), ("2d-idx", np.array([[0, 1], [1, 1]]), 0)]:
    case("take-" + nm, lambda a, _i=idx, _a=ax: ops.take(a, _i, axis=_a), X3)

# --- activations (kinks at 0, +-3 and 6 avoided; inputs cover every branch) --------------
XA = avoid(rnd(4, 6, lo=-8, hi=8, seed=16), [0, -3, 3, 6], 0.2)
ACTS = [("relu", ops.relu), ("relu6", ops.relu6), ("sigmoid", ops.sigmoid), ("tanh", ops.tanh),
        ("elu", ops.elu), ("elu-alpha0.5", lambda a: ops.elu(a, 0.5)), ("selu", ops.selu),
        ("softplus", ops.softplus), ("softsign", ops.softsign), ("silu", ops.silu),
        ("swish", ops.swish), ("gelu-approx", lambda a: ops.gelu(a, approximate=True)),
        ("gelu-exact", lambda a: ops.gelu(a, approximate=False)), ("leaky_relu", ops.leaky_relu),
        ("leaky_relu-0.05", lambda a: ops.leaky_relu(a, 0.05)), ("hard_sigmoid", ops.hard_sigmoid),
        ("hard_silu", ops.hard_silu), ("hard_swish", ops.hard_swish), ("mish", ops.mish)]
for nm, f in ACTS:
    case(nm, f, XA)
for nm, f in [("softmax", ops.softmax), ("log_softmax", ops.log_softmax)]:
    case(nm + "-axis-1", f, A)
    case(nm + "-axis0", lambda a, _f=f: _f(a, axis=0), A)
    case(nm + "-3d-axis1", lambda a, _f=f: _f(a, axis=1), X3)

# --- fused dense: every activation code, with/without bias, 2-D/3-D input ----------------
ALPHA = {"elu": 0.7, "leaky_relu": 0.3}
for act in CODES:
    for rank in (2, 3):
        x = rnd(*((2, 3, 3) if rank == 3 else (5, 3)), lo=-2.5, hi=2.5, seed=17)
        w, b = rnd(3, 4, seed=18), rnd(4, lo=-1, hi=1, seed=19)
        a = ALPHA.get(act, 0.0)
        case(f"dense-{act}-{rank}d-bias", lambda x, w, b, _c=act, _a=a: ops.dense(x, w, b, _c, _a),
             x, w, b)
        case(f"dense-{act}-{rank}d-nobias",
             lambda x, w, _c=act, _a=a: ops.dense(x, w, None, _c, _a), x, w)

# --- dropout with a fixed seed (see also test_dropout_gradient_is_mask) ------------------
case("dropout", lambda a: ops.dropout(a, 0.4, seed=3), A)
case("dropout-noise_shape", lambda a: ops.dropout(a, 0.5, noise_shape=(1, 4), seed=5), A)

# --- normalization ----------------------------------------------------------------------
G, BE = rnd(4, lo=0.5, hi=1.5, seed=20), rnd(4, seed=21)
case("batch_norm_train-2d", lambda x, g, b: nn.batch_norm_train(x, g, b, 1e-3)[0], A, G, BE)
case("batch_norm_train-3d", lambda x, g, b: nn.batch_norm_train(x, g, b, 1e-3)[0], X3, G, BE)
case("batch_normalization", lambda x, m, v, o, s: ops.batch_normalization(x, m, v, o, s, 1e-3),
     A, rnd(4, seed=22), rnd(4, lo=0.5, hi=2, seed=23), BE, G)
case("batch_normalization-no-offset-scale",
     lambda x, m, v: ops.batch_normalization(x, m, v, epsilon=1e-3), A, rnd(4),
     rnd(4, lo=0.5, hi=2))
case("moments-sum", lambda x: ops.add(*ops.moments(x, axes=(0,))), A)
# layer_normalization: the fused kernels (trailing axes) and the composite (other axes)
case("layer_normalization", lambda x, g, b: ops.layer_normalization(x, g, b, epsilon=1e-3),
     X3, rnd(X3.shape[-1], seed=24), rnd(X3.shape[-1], seed=25))
case("layer_normalization-two-axes-no-beta",
     lambda x, g: ops.layer_normalization(x, g, axis=[1, 2], epsilon=0.1), X3,
     rnd(*X3.shape[1:], seed=26))
case("layer_normalization-no-affine", lambda x: ops.layer_normalization(x, epsilon=1e-3), A)
case("layer_normalization-axis0-composite",
     lambda x, b: ops.layer_normalization(x, beta=b, axis=0, epsilon=1e-3), A,
     rnd(A.shape[0], seed=27))

# --- image resize (separable kernels; antialias widens a downsampling kernel) -------------
IMG = rnd(2, 5, 6, 3, seed=24)
for interp in ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5"):
    case(f"image.resize-up-{interp}", lambda x, m=interp: ops.image.resize(x, (7, 9), m), IMG)
    case(f"image.resize-down-aa-{interp}",
         lambda x, m=interp: ops.image.resize(x, (3, 2), m, antialias=True), IMG)
case("image.resize-cf-3d", lambda x: ops.image.resize(x, (4, 8), "bilinear",
                                                       data_format="channels_first"),
     rnd(3, 5, 6, seed=25))

# --- losses in nbkeras.ops.nn (gradient w.r.t. the prediction) ---------------------------
T01 = rnd(3, 4, lo=0, hi=1, seed=24)
P = rnd(3, 4, lo=0.1, hi=0.9, seed=25)
LAB = np.array([2, 0, 3])
ONEHOT = np.eye(4)[LAB]
for nm, f, t, p in [
    ("bce-probs", nn.binary_crossentropy, T01, P),
    ("bce-logits", lambda t, p: nn.binary_crossentropy(t, p, from_logits=True), T01, A * 2),
    ("cce-probs", nn.categorical_crossentropy, ONEHOT, probs(3, 4)),
    ("cce-probs-unnormalized", nn.categorical_crossentropy, ONEHOT, rnd(3, 4, lo=0.2, hi=1)),
    ("cce-soft-targets", nn.categorical_crossentropy, probs(3, 4, seed=3), probs(3, 4)),
    ("cce-logits", lambda t, p: nn.categorical_crossentropy(t, p, from_logits=True), T01, A),
    ("cce-axis0", lambda t, p: nn.categorical_crossentropy(t, p, axis=0), ONEHOT.T, probs(4, 3)),
    ("scce-probs", nn.sparse_categorical_crossentropy, LAB, probs(3, 4)),
    ("scce-logits", lambda t, p: nn.sparse_categorical_crossentropy(t, p, from_logits=True),
     LAB, A),
    ("mse", nn.mean_squared_error, B, A),
    ("mse-3d", nn.mean_squared_error, rnd(2, 3, 4, seed=1), X3),
]:
    case("nn-" + nm, f, t, p, wrt=[1])

# --- nbkeras.losses: functions and Loss classes (reductions, sample weights) -------------
SW = rnd(3, lo=0.2, hi=2.0, seed=26)
for nm, f, t, p in [
    ("binary_crossentropy", losses.binary_crossentropy, T01, P),
    ("binary_crossentropy-logits-smooth",
     lambda t, p: losses.binary_crossentropy(t, p, from_logits=True, label_smoothing=0.2), T01, A),
    ("binary_crossentropy-axis0", lambda t, p: losses.binary_crossentropy(t, p, axis=0), T01, P),
    ("binary_crossentropy-rank1-target", losses.binary_crossentropy, T01[:, 0], P[:, :1]),
    ("categorical_crossentropy", losses.categorical_crossentropy, ONEHOT, probs(3, 4)),
    ("categorical_crossentropy-logits-smooth",
     lambda t, p: losses.categorical_crossentropy(t, p, True, label_smoothing=0.1), ONEHOT, A),
    ("sparse_categorical_crossentropy", losses.sparse_categorical_crossentropy, LAB, probs(3, 4)),
    ("sparse_categorical_crossentropy-logits",
     lambda t, p: losses.sparse_categorical_crossentropy(t, p, from_logits=True), LAB[:, None], A),
    ("sparse_categorical_crossentropy-ignore",
     lambda t, p: losses.sparse_categorical_crossentropy(t, p, ignore_class=0), LAB, probs(3, 4)),
    ("sparse_categorical_crossentropy-smooth",
     lambda t, p: losses.sparse_categorical_crossentropy(t, p, label_smoothing=0.1), LAB,
     probs(3, 4)),
    ("mean_squared_error", losses.mean_squared_error, B, A),
    ("mse-rank1", losses.mse, B[:, 0], A[:, :1]),
    ("BinaryCrossentropy", losses.BinaryCrossentropy(), T01, P),
    ("BinaryCrossentropy-logits-sum",
     losses.BinaryCrossentropy(from_logits=True, reduction="sum"), T01, A),
    ("CategoricalCrossentropy", losses.CategoricalCrossentropy(), ONEHOT, probs(3, 4)),
    ("CategoricalCrossentropy-logits-none",
     losses.CategoricalCrossentropy(from_logits=True, reduction="none"), ONEHOT, A),
    ("SparseCategoricalCrossentropy", losses.SparseCategoricalCrossentropy(), LAB, probs(3, 4)),
    ("SparseCategoricalCrossentropy-logits",
     losses.SparseCategoricalCrossentropy(from_logits=True), LAB, A),
    ("MeanSquaredError", losses.MeanSquaredError(), B, A),
    ("MeanSquaredError-sample_weight", lambda t, p: losses.MeanSquaredError()(t, p, SW), B, A),
    ("BinaryCrossentropy-mean_with_sample_weight",
     lambda t, p: losses.BinaryCrossentropy(reduction="mean_with_sample_weight")(t, p, SW), T01, P),
]:
    case("losses-" + nm, f, t, p, wrt=[1])


@pytest.mark.parametrize("c", params(with_bugs=True))
def test_gradient_matches_finite_differences(c):
    check_grad(c.fn, c.args, c.wrt, c.eps, c.rtol)


@pytest.mark.parametrize("c", params(with_bugs=False))
def test_returns_numpy_without_tape_and_tensor_when_tracked(c):
    out = c.fn(*c.args)
    assert not isinstance(out, Tensor)
    assert isinstance(out, (np.ndarray, np.generic)), type(out)
    if c.out64:  # float64 in, float64 out: no silent narrowing to floatx
        assert np.asarray(out).dtype == np.float64
    with ops.GradientTape() as tape:
        untracked = c.fn(*c.args)  # recording, but no tracked input: still plain NumPy
        assert not isinstance(untracked, Tensor)
        wrt = c.wrt if c.wrt is not None else range(len(c.args))
        tracked = c.fn(*[tape.watch(a) if i in wrt else a for i, a in enumerate(c.args)])
    assert isinstance(tracked, Tensor)
    np.testing.assert_allclose(tracked.numpy(), np.asarray(out), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("c", params(with_bugs=True))
def test_unprojected_sum_gradient(c):
    """d sum(fn)/dx: the upstream gradient is then a broadcast (zero-stride) view of ones."""
    check_grad(c.fn, c.args, c.wrt, c.eps, c.rtol, project=False)


@pytest.mark.parametrize("fn, ref", [
    (lambda a, b: ops.dot(a, b), np.dot),
    (lambda a, b: ops.tensordot(a, b[0], 1), lambda a, b: np.tensordot(a, b[0], 1)),
    (lambda a, b: ops.matmul(a, b[0]), lambda a, b: a @ b[0]),
    (lambda a, b: ops.take(b, [-1, 0, -1], axis=1), lambda a, b: np.take(b, [-1, 0, -1], axis=1)),
    (lambda a, b: ops.tile(a, (2, 1, 3)), lambda a, b: np.tile(a, (2, 1, 3))),
    (lambda a, b: ops.logsumexp(b, axis=(0, 2)), lambda a, b: np.log(np.exp(b).sum((0, 2)))),
], ids=["dot-3d", "tensordot-1", "matmul", "take-neg", "tile", "logsumexp"])
def test_forward_matches_numpy(fn, ref):
    a, b = rnd(3, 4, seed=30), rnd(2, 4, 5, seed=31)
    np.testing.assert_allclose(fn(a, b), ref(a, b), rtol=1e-12)


def test_dropout_gradient_is_mask():
    x = avoid(rnd(6, 5), [0], 0.1)
    with ops.GradientTape() as tape:
        t = tape.watch(x)
        out = ops.dropout(t, 0.5, seed=11)
        total = ops.sum(out)
    mask = out.numpy() / x
    assert set(np.unique(np.round(mask, 12))) == {0.0, 2.0}
    np.testing.assert_allclose(tape.gradient(total, t), mask, rtol=1e-12)
    np.testing.assert_array_equal(ops.dropout(x, 0.5, seed=11), out.numpy())  # seed fixes the mask


@pytest.mark.parametrize("nm", ["sum", "mean", "max", "prod", "var", "logsumexp", "moments"])
def test_reduction_accepts_list_axis(nm):
    f = ((lambda x: ops.add(*ops.moments(x, axes=[0, 2]))) if nm == "moments"
         else (lambda x: getattr(ops, nm)(x, axis=[0, 2])))
    check_grad(f, (PX3,))


def test_gradients_of_distinct_sources_do_not_alias():
    with ops.GradientTape() as tape:
        a, b = tape.watch(A), tape.watch(B)
        loss = ops.sum(ops.add(a, b))
    ga, gb = tape.gradient(loss, [a, b])
    ga *= 3.0  # in-place edits of one gradient must not change another
    np.testing.assert_array_equal(gb, np.ones_like(B))


@pytest.mark.parametrize("fn", [nn.mean_squared_error, losses.mean_squared_error],
                         ids=["nn", "losses"])
def test_mse_is_differentiable_in_both_arguments(fn):
    """e.g. a consistency loss mse(f(x1), f(x2)) between two tracked outputs."""
    check_grad(fn, (B, A))


def test_outer_tape_sees_ops_recorded_under_an_inner_tape():
    with ops.GradientTape() as outer:
        x = outer.watch(A)
        with ops.GradientTape():
            y = x * x
        loss = ops.sum(y * 2.0)
    np.testing.assert_allclose(outer.gradient(loss, x), 4.0 * A)
