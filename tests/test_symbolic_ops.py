"""Ops on symbolic tensors build functional models that match real Keras 3.

Goldens: tests/goldens/symbolic.{json,npz} from tools/goldens_symbolic.py (predictions,
3 SGD steps, the summary text and the op nodes' config entries), for the models of
tests/symbolic_models.py.
"""

import json
import os
import pathlib
import subprocess

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers, ops
from nbkeras.ops.symbolic import Operation

import symbolic_models as sm

GOLDENS = pathlib.Path(__file__).parent / "goldens"
DOC = json.loads((GOLDENS / "symbolic.json").read_text())
ARR = np.load(GOLDENS / "symbolic.npz")
CASES = DOC["cases"]


def _model(case):
    keras.utils.clear_session()
    model = sm.BUILDERS[case["builder"]](keras)
    model.set_weights([ARR[k] for k in case["weights"]])
    return model


def _one_or_list(keys):
    arrays = [ARR[k] for k in keys]
    return arrays if len(arrays) > 1 else arrays[0]


def _summary(model):
    chunks = []
    model.summary(print_fn=lambda s, *a, **k: chunks.append(s))
    return "\n".join(c[:-1] if c.endswith("\n") else c for c in chunks)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_predictions_summary_and_config_match_keras(case, monkeypatch):
    monkeypatch.setenv("COLUMNS", DOC["columns"])
    model = _model(case)
    pred = model.predict(_one_or_list(case["x"]), verbose=0)
    for got, key in zip(pred if isinstance(pred, list) else [pred], case["pred"]):
        np.testing.assert_allclose(got, ARR[key], rtol=1e-4, atol=1e-6)
    assert _summary(model) == case["summary"]
    assert [l.name for l in model.layers] == case["layer_names"]
    ours = [e for e in model.get_config()["layers"]
            if str(e.get("module", "")).startswith("keras.src.ops.")]
    assert json.loads(json.dumps(ours)) == case["op_entries"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_three_sgd_steps_match_keras(case):
    model = _model(case)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    x, y = _one_or_list(case["x"]), _one_or_list(case["y"])
    hist = model.fit(x, y, epochs=3, batch_size=len(ARR[case["x"][0]]), shuffle=False, verbose=0)
    for k, v in case["history"].items():
        np.testing.assert_allclose(hist.history[k], v, rtol=1e-4)
    for got, key in zip(model.get_weights(), case["final_weights"]):
        np.testing.assert_allclose(got, ARR[key], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("ext", [".keras", ".h5"])
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_saved_and_reloaded_models_predict_the_same(case, ext, tmp_path):
    model = _model(case)
    x = _one_or_list(case["x"])
    model.save(tmp_path / f"m{ext}")
    loaded = keras.models.load_model(tmp_path / f"m{ext}")
    assert [type(l).__name__ for l in loaded._layers] == [type(l).__name__ for l in model._layers]
    for a, b in zip(*(m.predict(x, verbose=0) for m in (model, loaded))):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_keras_tensor_operators_and_slicing_build_op_nodes():
    x = keras.Input((2, 3))
    cases = {"add": x + 1.0, "add_1": 1.0 + x, "subtract": x - x, "subtract_1": 2.0 - x,
             "multiply": x * 0.5, "true_divide": x / 2.0, "true_divide_1": 1.0 / (x + 2.0),
             "negative": -x, "absolute": abs(x), "power": x ** 2.0, "matmul": x @ np.ones((3, 4)),
             "less": x < 0.0, "greater_equal": x >= 1.0, "get_item": x[:, 0], "get_item_1": x[..., 1:]}
    shapes = {"matmul": (None, 2, 4), "get_item": (None, 3), "get_item_1": (None, 2, 2)}
    for name, t in cases.items():
        layer = t._keras_history[0]
        assert isinstance(layer, Operation), name
        assert t.shape == shapes.get(name, (None, 2, 3)), name
    assert (x < 0.0).dtype == "bool" and (+x) is x


def test_keras_tensor_integer_and_logical_operators_match_eager_values():
    x = keras.Input((3,))
    b = x > 0.5
    outs = [x != 0.5, x // 0.3, 2.0 // (x + 1.0), x % 0.3, 1.0 % (x + 1.0), b & (x < 0.8),
            b | (x < 0.2), b ^ (x < 0.8), ~b, round(x * 10.0)]
    assert (x == x) is True and (x == keras.Input((3,))) is False  # `==` is identity, as in Keras
    assert len({x: 1}) == 1  # and KerasTensors stay hashable
    xv = np.array([[0.1, 0.5, 0.9], [0.3, 0.7, 0.2]], "float32")
    got = keras.Model(x, outs).predict(xv, verbose=0)
    bv = xv > 0.5
    want = [xv != 0.5, xv // np.float32(0.3), 2.0 // (xv + 1.0), xv % np.float32(0.3),
            1.0 % (xv + 1.0), bv & (xv < 0.8), bv | (xv < 0.2), bv ^ (xv < 0.8), ~bv,
            np.round(xv * 10.0)]
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g, "float64"), np.asarray(w, "float64"),
                                   rtol=1e-5, atol=1e-6)


def test_shapes_come_from_the_op_not_from_the_batch():
    x = keras.Input((4, 3))
    assert ops.mean(x, axis=0).shape == (4, 3)  # over the batch: no unknown dim left
    assert ops.sum(x).shape == ()
    assert ops.reshape(x, (-1, 12)).shape == (None, 12)
    assert ops.transpose(x, (0, 2, 1)).shape == (None, 3, 4)
    assert ops.cast(x, "int32").dtype == "int32"
    assert ops.argmax(x, axis=-1).dtype == "int64"
    assert ops.var(x, axis=1).shape == (None, 3)
    assert type(ops.var(x, axis=1)._keras_history[0]).__name__ == "Var"  # one node, as Keras


def _every_op_call(x, y, idx):
    """One call of every public op of nbkeras.ops on symbolic inputs."""
    unary = ["negative", "exp", "expm1", "log", "log1p", "sqrt", "square", "abs", "absolute",
             "sin", "cos", "sign", "relu", "relu6", "sigmoid", "tanh", "elu", "selu", "softplus",
             "softsign", "silu", "swish", "gelu", "leaky_relu", "hard_sigmoid", "hard_silu",
             "hard_swish", "mish", "softmax", "log_softmax", "zeros_like", "ones_like",
             "transpose"]
    reductions = ["sum", "mean", "max", "min", "amax", "amin", "prod", "var", "std",
                  "logsumexp", "argmax", "argmin"]
    binary = ["add", "subtract", "multiply", "divide", "true_divide", "divide_no_nan", "power",
              "maximum", "minimum", "equal", "not_equal", "greater", "greater_equal", "less",
              "less_equal"]
    calls = {n: (n, (x,), {}) for n in unary}
    calls.update({n: (n, (x, y), {}) for n in binary})
    calls.update({n: (n, (x,), {"axis": -1}) for n in reductions})
    calls.update({
        "clip": ("clip", (x, 0.0, 1.0), {}), "cast": ("cast", (x, "float64"), {}),
        "matmul": ("matmul", (x, ops.transpose(y)), {}), "dot": ("dot", (x, ops.transpose(y)), {}),
        "tensordot": ("tensordot", (x, y), {"axes": ([1], [1])}),
        "reshape": ("reshape", (x, (-1, 2, 2)), {}), "expand_dims": ("expand_dims", (x, 1), {}),
        "squeeze": ("squeeze", (ops.expand_dims(x, 1), 1), {}),
        "concatenate": ("concatenate", ([x, y],), {"axis": 1}),
        "stack": ("stack", ([x, y],), {"axis": 1}), "where": ("where", (x > 0.5, x, y), {}),
        "getitem": ("getitem", (x, (slice(None), 0)), {}), "take": ("take", (x, [0, 2]), {"axis": 1}),
        "tile": ("tile", (x, (1, 2)), {}), "one_hot": ("one_hot", (idx, 4), {}),
        "dropout": ("dropout", (x, 0.5), {"seed": 1}), "moments": ("moments", (x, [1]), {}),
        "batch_normalization": ("batch_normalization", (x, 0.5, 2.0), {}),
        "binary_crossentropy": ("binary_crossentropy", (ops.sigmoid(y), ops.sigmoid(x)), {}),
        "categorical_crossentropy": ("categorical_crossentropy", (ops.softmax(y), ops.softmax(x)), {}),
        "sparse_categorical_crossentropy": ("sparse_categorical_crossentropy", (idx, ops.softmax(x)), {}),
        "convert_to_tensor": ("convert_to_tensor", (x,), {}),
        "stop_gradient": ("stop_gradient", (x,), {}),
    })
    more_unary = ["floor", "ceil", "round", "trunc", "erf", "tan", "sinh", "cosh", "arcsin",
                  "arccos", "arctan", "arcsinh", "arctanh", "log2", "log10", "exp2",
                  "reciprocal", "rsqrt", "cbrt", "isnan", "isinf", "isfinite", "ravel", "copy",
                  "array", "nan_to_num", "logical_not", "flip", "argsort", "sort"]
    calls.update({n: (n, (x,), {}) for n in more_unary})
    calls.update({n: (n, (x, y), {}) for n in ["arctan2", "logaddexp", "hypot", "mod",
                                               "floor_divide", "isclose", "outer"]})
    calls.update({n: (n, (x - 0.5, y), {}) for n in ["logical_and", "logical_or",
                                                           "logical_xor"]})
    calls.update({n: (n, (x,), {"axis": 1}) for n in ["cumsum", "cumprod", "median", "all",
                                                      "any", "count_nonzero"]})
    calls.update({
        "arccosh": ("arccosh", (x + 1.5,), {}),
        "slice": ("slice", (x, (0, 1), (2, 2)), {}),
        "slice_update": ("slice_update", (x, (0, 1), ops.slice(y, (0, 0), (3, 2))), {}),
        "split": ("split", (x, 2), {"axis": 1}), "unstack": ("unstack", (x,), {"axis": 1}),
        "top_k": ("top_k", (x, 2), {}), "tril": ("tril", (x,), {"k": 1}),
        "triu": ("triu", (x,), {}), "pad": ("pad", (x, [[0, 0], [1, 2]]), {"mode": "reflect"}),
        "repeat": ("repeat", (x, 2), {"axis": 1}), "roll": ("roll", (x, 1), {"axis": 1}),
        "take_along_axis": ("take_along_axis", (x, np.array([[3, 0]])), {"axis": 1}),
        "diag": ("diag", (ops.reshape(x, (-1,)),), {}),
        "diagonal": ("diagonal", (ops.reshape(x, (-1, 2, 2)),), {"axis1": 1, "axis2": 2}),
        "trace": ("trace", (ops.reshape(x, (-1, 2, 2)),), {"axis1": 1, "axis2": 2}),
        "moveaxis": ("moveaxis", (ops.reshape(x, (-1, 2, 2)), 0, -1), {}),
        "swapaxes": ("swapaxes", (x, 0, 1), {}),
        "hstack": ("hstack", ([x, y],), {}), "vstack": ("vstack", ([x, y],), {}),
        "full_like": ("full_like", (x, 2.0), {}),
        "quantile": ("quantile", (x, [0.25, 0.75]), {"axis": 1}),
        "percentile": ("percentile", (x, 40.0), {"axis": 1}),
        "norm": ("norm", (x,), {"axis": -1}),
        "fft": ("fft", ((x, y),), {}), "fft2": ("fft2", ((x, y),), {}),
        "ifft2": ("ifft2", ((x, y),), {}), "rfft": ("rfft", (x,), {"fft_length": 6}),
        "irfft": ("irfft", ((x, y),), {}),
        "segment_sum": ("segment_sum", (ops.transpose(x), np.array([0, 0, 1, 2]), 3), {}),
        "segment_max": ("segment_max", (ops.transpose(x), np.array([0, 0, 1, 2]), 3), {}),
        "einsum": ("einsum", ("bi,bj->bij", x, y), {}),
        "layer_normalization": ("layer_normalization", (x,), {"epsilon": 1e-3}),
        "dot_product_attention": ("dot_product_attention", tuple(
            ops.reshape(t, (-1, 2, 1, 2)) for t in (x, y, y)), {"is_causal": True}),
    })
    # linear algebra on 2x2 matrices made from x (positive definite where needed)
    m = ops.reshape(x, (-1, 2, 2))
    pd = ops.matmul(m, ops.swapaxes(m, -1, -2)) + np.eye(2, dtype="float32")
    calls.update({n: (n, (pd,), {}) for n in ["inv", "det", "logdet", "cholesky", "eigh",
                                              "eig", "lu_factor", "pinv", "matrix_rank"]})
    calls.update({
        "svd": ("svd", (m,), {"compute_uv": False}), "qr": ("qr", (m,), {}),
        "solve": ("solve", (pd, ops.reshape(y, (-1, 2, 2))), {}),
        "solve_triangular": ("solve_triangular", (pd, ops.reshape(y, (-1, 2, 2))),
                             {"lower": True}),
        "cholesky_inverse": ("cholesky_inverse", (ops.cholesky(pd),), {}),
        "lstsq": ("lstsq", (np.eye(4, 3, dtype="float32") + 0.5, ops.transpose(x)), {}),
    })
    calls.update({n: (n, (x,), {"axis": -1}) for n in [
        "nansum", "nanmean", "nanmax", "nanmin", "nanprod", "nanvar", "nanstd", "nanmedian",
        "nanargmax", "nanargmin"]})
    more_unary = ["celu", "log_sigmoid", "hard_shrink",
                  "soft_shrink", "tanh_shrink", "hard_tanh", "sparse_plus", "sparse_sigmoid",
                  "squareplus", "sparsemax", "normalize", "layer_normalization",
                  "rms_normalization", "glu", "sinc", "deg2rad", "rad2deg", "isneginf",
                  "isposinf", "signbit", "fliplr", "erfc", "empty_like", "corrcoef", "i0",
                  "real", "imag", "conj", "conjugate", "angle", "isreal"]
    calls.update({n: (n, (x,), {}) for n in more_unary})
    calls.update({n: (n, (x, y), {}) for n in ["kron", "inner", "logaddexp2", "heaviside",
                                               "fmax", "fmin", "fmod", "cdist", "isin"]})
    calls.update({n: (n, (x,), {"axis": 1}) for n in ["nancumsum", "nancumprod", "ptp"]})
    i2 = ops.cast(x * 10.0, "int32")
    calls.update({n: (n, (i2, ops.cast(y * 3.0, "int32")), {}) for n in [
        "bitwise_and", "bitwise_or", "bitwise_xor", "left_shift", "right_shift",
        "bitwise_left_shift", "bitwise_right_shift", "gcd", "lcm"]})
    calls.update({n: (n, (i2,), {}) for n in ["bitwise_invert", "bitwise_not"]})
    calls.update({
        "nanquantile": ("nanquantile", (x, 0.3), {"axis": 1}),
        "nanpercentile": ("nanpercentile", (x, 30.0), {"axis": 1}),
        "append": ("append", (x, y), {"axis": 1}), "diff": ("diff", (x,), {}),
        "cross": ("cross", (ops.slice(x, (0, 0), (3, 3)), ops.slice(y, (0, 0), (3, 3))), {}),
        "rot90": ("rot90", (ops.reshape(x, (-1, 2, 2)),), {"axes": (1, 2)}),
        "average": ("average", (x,), {"axis": 1, "weights": np.array([1.0, 2.0, 3.0, 4.0])}),
        "select": ("select", ([x > 0.5, y > 0.5], [x, y]), {}),
        "dstack": ("dstack", ([x, y],), {}), "diagflat": ("diagflat", (x,), {}),
        "trapezoid": ("trapezoid", (x,), {}), "vander": ("vander", (ops.reshape(x, (-1,)),), {}),
        "flipud": ("flipud", (x,), {}),
        "array_split": ("array_split", (x, 3), {"axis": 1}), "hsplit": ("hsplit", (x, 2), {}),
        "vsplit": ("vsplit", (ops.transpose(x), 2), {}),
        "dsplit": ("dsplit", (ops.reshape(x, (-1, 1, 4)), 2), {}),
        "searchsorted": ("searchsorted", (np.array([0.2, 0.5, 0.7], "float32"), x), {}),
        "argpartition": ("argpartition", (x, 1), {}),
        "scatter_update": ("scatter_update", (x, np.array([[0, 1]]), np.array([5.0])), {}),
        "segment_min": ("segment_min", (ops.transpose(x), np.array([0, 0, 1, 2]), 3), {}),
        "segment_prod": ("segment_prod", (ops.transpose(x), np.array([0, 0, 1, 2]), 3), {}),
        "in_top_k": ("in_top_k", (idx, x, 2), {}),
        "threshold": ("threshold", (x, 0.5, -1.0), {}),
        "digitize": ("digitize", (x, np.array([0.3, 0.6], "float32")), {}),
        "extract_sequences": ("extract_sequences", (x, 2, 1), {}),
        "stft": ("stft", (x, 2, 1, 2), {}), "istft": ("istft", ((x, y), 2, 1, 6), {}),
        "get_item": ("get_item", (x, (slice(None), 1)), {}),
        "saturate_cast": ("saturate_cast", (x * 300.0, "uint8"), {}),
        "multi_hot": ("multi_hot", (i2, 10), {}),
        "depth_to_space": ("depth_to_space", (ops.reshape(x, (-1, 1, 1, 4)), 2), {}),
        "space_to_depth": ("space_to_depth", (ops.reshape(x, (-1, 2, 2, 1)), 2), {}),
        "ldexp": ("ldexp", (x, i2), {}), "nextafter": ("nextafter", (x, y), {}),
        "erfinv": ("erfinv", (x - 0.5,), {}), "slogdet": ("slogdet", (pd,), {}),
        "fabs": ("fabs", (x,), {}), "view": ("view", (x, "int32"), {}),
        "view_as_complex": ("view_as_complex", (ops.reshape(x, (-1, 2, 2)),), {}),
        "view_as_real": ("view_as_real", (ops.view_as_complex(ops.reshape(x, (-1, 2, 2))),),
                         {}),
        "polar": ("polar", (x, y), {}),
        "ctc_loss": ("ctc_loss", (ops.cast(y[:, :2] * 0.0 + 1.0, "int32"),
                                  ops.reshape(x, (-1, 2, 2)), ops.cast(x[:, 0] * 0.0 + 1.0, "int32"),
                                  ops.cast(x[:, 0] * 0.0 + 2.0, "int32")), {}),
        "adaptive_average_pool": ("adaptive_average_pool", (ops.reshape(x, (-1, 4, 1)), 3), {}),
        "adaptive_max_pool": ("adaptive_max_pool", (ops.reshape(x, (-1, 2, 2, 1)), 1), {}),
        "unfold": ("unfold", (ops.reshape(x, (-1, 1, 2, 2)), 1), {}),
        "fold": ("fold", (ops.reshape(x, (-1, 1, 4)), 2, 1), {}),
        "ctc_decode": ("ctc_decode", (ops.reshape(x, (-1, 2, 2)),
                                      ops.cast(x[:, 0] * 0.0 + 2.0, "int32")), {}),
        "depthwise_conv": ("depthwise_conv", (ops.reshape(x, (-1, 4, 1)),
                                              np.ones((2, 1, 2), "float32")), {}),
        "separable_conv": ("separable_conv", (ops.reshape(x, (-1, 4, 1)),
                                              np.ones((2, 1, 2), "float32"),
                                              np.full((1, 2, 3), 0.5, "float32")), {}),
        "conv_transpose": ("conv_transpose", (ops.reshape(x, (-1, 4, 1)),
                                              np.ones((3, 2, 1), "float32")), {"strides": 2}),
    })
    return calls


def test_every_op_works_on_symbolic_inputs_and_matches_eager_values():
    x, y = keras.Input((4,), name="x"), keras.Input((4,), name="y")
    idx = keras.Input((), dtype="int32", name="idx")
    xv = np.random.default_rng(0).uniform(0.1, 0.9, (3, 4)).astype("float32")
    yv = np.random.default_rng(1).uniform(0.1, 0.9, (3, 4)).astype("float32")
    iv = np.array([0, 3, 1], "int32")
    for name, (fn, args, kwargs) in _every_op_call(x, y, idx).items():
        out = getattr(ops, fn)(*args, **kwargs)
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        model = keras.Model([x, y, idx], outs)
        got = model.predict([xv, yv, iv], verbose=0)
        got = got if isinstance(got, list) else [got]
        sub = {id(x): xv, id(y): yv, id(idx): iv}

        def value(a):
            if isinstance(a, (list, tuple)):
                return type(a)(value(t) for t in a)
            if id(a) not in sub and getattr(a, "_keras_symbolic", False):  # a derived input
                return keras.Model([x, y, idx], a).predict([xv, yv, iv], verbose=0)
            return sub.get(id(a), a)

        eager_args = [value(a) for a in args]
        if fn in ("matmul", "dot"):
            eager_args[1] = yv.T
        if fn == "squeeze":
            eager_args[0] = xv[:, None]
        if fn in ("binary_crossentropy", "categorical_crossentropy"):
            act = ops.sigmoid if fn == "binary_crossentropy" else ops.softmax
            eager_args = [act(yv), act(xv)]
        if fn == "sparse_categorical_crossentropy":
            eager_args = [iv, ops.softmax(xv)]
        if fn == "where":
            eager_args = [xv > 0.5, xv, yv]
        want = getattr(ops, fn)(*eager_args, **kwargs)
        want = list(want) if isinstance(want, (list, tuple)) else [want]
        if fn == "dropout":
            continue  # a random mask: the shape is what matters
        for g, w, o in zip(got, want, outs):
            np.testing.assert_allclose(g, np.asarray(w), rtol=1e-5, atol=1e-6, err_msg=name)
            assert len(o.shape) == np.ndim(w), name
            assert all(d is None or d == e for d, e in zip(o.shape, np.shape(w))), name


def test_conv_pool_and_resize_ops_are_nodes_too():
    x = keras.Input((8, 8, 2))
    k = np.random.default_rng(0).normal(size=(3, 3, 2, 4)).astype("float32")
    outs = [ops.conv(x, k, padding="same"), ops.max_pool(x, 2), ops.average_pool(x, 2),
            ops.image.resize(x, (4, 4))]
    assert [o.shape for o in outs] == [(None, 8, 8, 4), (None, 4, 4, 2), (None, 4, 4, 2),
                                       (None, 4, 4, 2)]
    model = keras.Model(x, outs)
    xv = np.random.default_rng(1).normal(size=(2, 8, 8, 2)).astype("float32")
    got = model.predict(xv, verbose=0)
    np.testing.assert_allclose(got[0], ops.conv(xv, k, padding="same"), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[3], ops.image.resize(xv, (4, 4)), rtol=1e-5, atol=1e-6)


def test_op_nodes_train_with_layers_and_keep_gradients():
    inp = keras.Input((3,))
    h = layers.Dense(4)(inp)
    out = layers.Dense(1)(ops.tanh(h) * 2.0 + h)
    model = keras.Model(inp, out)
    model.compile("sgd", "mse")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 3)).astype("float32"), rng.normal(size=(16, 1)).astype("float32")
    before = [w.copy() for w in model.get_weights()]
    model.fit(x, y, epochs=2, verbose=0)
    assert all(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))


FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "symbolic"
PARITY_PYTHON = os.environ.get("NBKERAS_PARITY_PYTHON", "/tmp/parity/bin/python")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_keras_written_files_load_and_predict_the_same(case):
    model = keras.models.load_model(FIXTURES / f"{case['id']}.keras")
    assert [l.name for l in model.layers] == case["layer_names"]
    pred = model.predict(_one_or_list(case["x"]), verbose=0)
    for got, key in zip(pred if isinstance(pred, list) else [pred], case["pred"]):
        np.testing.assert_allclose(got, ARR[key], rtol=1e-4, atol=1e-6)


_KERAS_LOADS = """
import sys, json, numpy as np, keras
model = keras.models.load_model(sys.argv[1])
x = [np.asarray(v) for v in np.load(sys.argv[2]).values()]
pred = model.predict(x if len(x) > 1 else x[0], verbose=0)
pred = pred if isinstance(pred, list) else [pred]
print(json.dumps([np.asarray(p).tolist() for p in pred]))
"""


@pytest.mark.skipif(not os.path.exists(PARITY_PYTHON),
                    reason=f"real Keras 3 is not installed at {PARITY_PYTHON}")
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_keras_loads_nbkeras_files_and_predicts_the_same(case, tmp_path):
    model = _model(case)
    model.save(tmp_path / "m.keras")
    np.savez(tmp_path / "x.npz", *[ARR[k] for k in case["x"]])
    run = subprocess.run([PARITY_PYTHON, "-c", _KERAS_LOADS, str(tmp_path / "m.keras"),
                          str(tmp_path / "x.npz")], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"})
    assert run.returncode == 0, run.stderr[-3000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    for g, key in zip(got, case["pred"]):
        np.testing.assert_allclose(np.asarray(g, "float32"), ARR[key], rtol=1e-4, atol=1e-6)


def test_every_public_op_is_covered_by_the_symbolic_test():
    not_tensor_ops = {"GradientTape", "Tensor", "is_tracked", "recording", "unwrap", "op",
                      "composite", "unbroadcast", "record", "shape", "ndim", "zeros", "ones",
                      "full", "arange", "eye", "convert_to_numpy", "image", "config", "np",
                      "dense", "conv", "max_pool", "average_pool",  # these four: own tests
                      # not ops on tensors (values or functions in), or a data-dependent shape
                      "linspace", "identity", "tri", "meshgrid", "size", "nonzero", "cond",
                      "while_loop", "fori_loop", "scan", "map", "custom_gradient",
                      "broadcast_to",  # to a fixed shape, so no batch axis: in its own test
                      # the result's shape depends on the values, or no tensor goes in
                      "unique", "histogram", "bincount", "logspace", "geomspace", "empty",
                      "unravel_index", "scatter", "linalg",
                      # one scalar for the whole batch, which predict cannot concatenate
                      "vdot", "allclose", "psnr", "correlate",  # and 1-D only
                      # functions in, or no tensor: eager helpers
                      "vectorized_map", "vectorize", "switch", "is_tensor", "dtype",
                      "associative_scan",
                      "bartlett", "blackman", "hamming", "hanning", "kaiser"}
    public = {n for n in dir(ops) if not n.startswith("_") and callable(getattr(ops, n))}
    x = keras.Input((4,))
    covered = set(_every_op_call(x, x, keras.Input((), dtype="int32")))
    assert public - not_tensor_ops <= covered, sorted(public - not_tensor_ops - covered)
