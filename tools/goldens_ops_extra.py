"""Golden group 'ops_extra': the keras.ops functions of issue 14's list on fixed inputs.

Each case calls `keras.ops.<op>(*args, **kwargs)` (`image.` ops from `keras.ops.image`);
`pair` marks ops whose first argument is a (real, imag) tuple. The outputs are stored
flattened (a tuple or list of outputs in order). tests/test_parity_ops_extra.py replays
every case with `nbkeras.ops` and compares at rtol 1e-4.
"""

import numpy as np

from goldens_common import Recorder, keras_meta, to_np

RNG = np.random.RandomState(7)


def f(*shape, lo=-2.0, hi=2.0):
    return RNG.uniform(lo, hi, shape).astype("float32")


X = f(3, 4)
X3 = f(2, 3, 4)
SQ = f(4, 4)
POS = f(3, 4, lo=0.5, hi=1.5)
HALVES = np.array([[-2.5, -1.5, -0.5, 0.5], [1.5, 2.5, 0.25, -0.75]], "float32")
IMG = f(2, 5, 6, 3)
TIES = np.array([[1.0, 3.0, 3.0, 2.0, 1.0]], "float32")

CASES = [
    ("array", "array", [X], {}),
    ("convert_to_tensor", "convert_to_tensor", [X], {}),
    ("broadcast_to", "broadcast_to", [f(3, 1)], {"shape": [2, 3, 4]}),
    ("slice", "slice", [X3], {"start_indices": [0, 1, 1], "shape": [2, 2, 3]}),
    ("slice_update", "slice_update", [X3, [1, 0, 2], f(1, 2, 2)], {}),
    ("split-sections", "split", [X3], {"indices_or_sections": 2, "axis": 2}),
    ("split-indices", "split", [X3], {"indices_or_sections": [1, 3], "axis": -1}),
    ("floor", "floor", [X], {}),
    ("ceil", "ceil", [X], {}),
    ("round", "round", [HALVES], {}),
    ("round-decimals", "round", [X], {"decimals": 1}),
    ("sign", "sign", [X], {}),
    ("cumsum", "cumsum", [X3], {"axis": 1}),
    ("cumsum-flat", "cumsum", [X], {}),
    ("cumprod", "cumprod", [X3], {"axis": -1}),
    ("argsort", "argsort", [X], {}),
    ("argsort-axis0", "argsort", [X], {"axis": 0}),
    ("sort", "sort", [X3], {"axis": 1}),
    ("top_k", "top_k", [X], {"k": 2}),
    ("top_k-ties", "top_k", [TIES], {"k": 3}),
    ("one_hot", "one_hot", [np.array([0, 2, 1, 3])], {"num_classes": 4}),
    ("linspace", "linspace", [0.0, 1.0], {"num": 5}),
    ("linspace-noend", "linspace", [-1.0, 2.0], {"num": 4, "endpoint": False}),
    ("tril", "tril", [SQ], {}),
    ("tril-k", "tril", [X3], {"k": -1}),
    ("triu", "triu", [SQ], {"k": 1}),
    ("pad-constant", "pad", [X], {"pad_width": [[1, 2], [0, 1]]}),
    ("pad-value", "pad", [X], {"pad_width": [[1, 0], [2, 1]], "constant_values": 3.0}),
    ("pad-reflect", "pad", [X], {"pad_width": [[2, 1], [1, 2]], "mode": "reflect"}),
    ("pad-symmetric", "pad", [X], {"pad_width": [[1, 1], [2, 0]], "mode": "symmetric"}),
    ("pad-edge", "pad", [X], {"pad_width": [[1, 2], [1, 1]], "mode": "edge"}),
    ("pad-wrap", "pad", [X], {"pad_width": [[1, 1], [2, 2]], "mode": "wrap"}),
    ("tile", "tile", [X], {"repeats": [2, 1, 2]}),
    ("repeat", "repeat", [X], {"repeats": 2, "axis": 1}),
    ("repeat-flat", "repeat", [X], {"repeats": 2}),
    ("extract_patches", "image.extract_patches", [IMG], {"size": 2}),
    ("extract_patches-strides", "image.extract_patches", [IMG],
     {"size": (3, 2), "strides": 1, "padding": "same"}),
    ("extract_patches-dilated", "image.extract_patches", [IMG],
     {"size": 2, "strides": 1, "dilation_rate": 2}),
    ("fft", "fft", [f(3, 8), f(3, 8)], {}, True),
    ("fft2", "fft2", [f(2, 4, 6), f(2, 4, 6)], {}, True),
    ("ifft2", "ifft2", [f(2, 4, 6), f(2, 4, 6)], {}, True),
    ("rfft", "rfft", [f(3, 8)], {}),
    ("rfft-length", "rfft", [f(3, 7)], {"fft_length": 10}),
    ("rfft-crop", "rfft", [f(3, 9)], {"fft_length": 6}),
    ("irfft", "irfft", [f(3, 5), f(3, 5)], {}, True),
    ("segment_sum", "segment_sum", [f(6, 3), np.array([0, 0, 1, 3, 3, 3])], {"num_segments": 4}),
    ("segment_sum-n", "segment_sum", [f(5), np.array([2, 0, 0, 1, 2])], {"num_segments": 4}),
    ("segment_max", "segment_max", [f(6, 3), np.array([0, 0, 1, 2, 2, 2])], {"num_segments": 3}),
    ("logsumexp", "logsumexp", [X3], {"axis": 1}),
    ("erf", "erf", [f(4, 6, lo=-4.0, hi=4.0)], {}),
    ("erf-small", "erf", [np.array([1e-4, -3e-3, 0.0, 0.02], "float32")], {}),
    ("norm", "norm", [X3], {}),
    ("norm-axis", "norm", [X3], {"axis": -1}),
    ("norm-ord1", "norm", [X3], {"ord": 1, "axis": 1, "keepdims": True}),
    ("norm-ord3", "norm", [X], {"ord": 3, "axis": 0}),
    ("norm-inf", "norm", [X], {"ord": float("inf"), "axis": 1}),
    ("norm-fro", "norm", [X3], {"ord": "fro", "axis": (1, 2)}),
    ("norm-mat1", "norm", [X], {"ord": 1}),
    ("norm-matinf", "norm", [X3], {"ord": float("inf"), "axis": (-2, -1)}),
    ("stop_gradient", "stop_gradient", [X], {}),
    ("flip", "flip", [X3], {"axis": 1}),
    ("flip-all", "flip", [X], {}),
    ("roll", "roll", [X3], {"shift": 2, "axis": -1}),
    ("roll-flat", "roll", [X], {"shift": -3}),
    ("take_along_axis", "take_along_axis", [X, np.array([[0, 3], [1, 1], [2, 0]])],
     {"axis": 1}),
    ("diag-vector", "diag", [f(3)], {"k": 1}),
    ("diag-matrix", "diag", [X], {"k": -1}),
    ("identity", "identity", [3], {}),
    ("isnan", "isnan", [np.array([1.0, np.nan, np.inf, -np.inf], "float32")], {}),
    ("isinf", "isinf", [np.array([1.0, np.nan, np.inf, -np.inf], "float32")], {}),
    ("isfinite", "isfinite", [np.array([1.0, np.nan, np.inf, -np.inf], "float32")], {}),
    ("logical_and", "logical_and", [X > 0, X > 1], {}),
    ("logical_or", "logical_or", [X > 0, X > 1], {}),
    ("logical_xor", "logical_xor", [X > 0, X < 1], {}),
    ("logical_not", "logical_not", [X > 0], {}),
    ("tan", "tan", [f(3, 4, lo=-1.2, hi=1.2)], {}),
    ("sinh", "sinh", [X], {}),
    ("cosh", "cosh", [X], {}),
    ("arcsin", "arcsin", [f(3, 4, lo=-0.9, hi=0.9)], {}),
    ("arccos", "arccos", [f(3, 4, lo=-0.9, hi=0.9)], {}),
    ("arctan", "arctan", [X], {}),
    ("arcsinh", "arcsinh", [X], {}),
    ("arccosh", "arccosh", [f(3, 4, lo=1.1, hi=3.0)], {}),
    ("arctanh", "arctanh", [f(3, 4, lo=-0.9, hi=0.9)], {}),
    ("log2", "log2", [POS], {}),
    ("log10", "log10", [POS], {}),
    ("exp2", "exp2", [X], {}),
    ("reciprocal", "reciprocal", [POS], {}),
    ("rsqrt", "rsqrt", [POS], {}),
    ("cbrt", "cbrt", [X], {}),
    ("trunc", "trunc", [X], {}),
    ("arctan2", "arctan2", [X, f(3, 4)], {}),
    ("logaddexp", "logaddexp", [X, f(4)], {}),
    ("hypot", "hypot", [X, f(3, 1)], {}),
    ("mod", "mod", [X, np.float32(0.7)], {}),
    ("floor_divide", "floor_divide", [X, np.float32(0.7)], {}),
    ("ravel", "ravel", [X3], {}),
    ("swapaxes", "swapaxes", [X3, 0, 2], {}),
    ("moveaxis", "moveaxis", [X3, [0, 1], [-1, 0]], {}),
    ("hstack", "hstack", [[X, f(3, 2)]], {}),
    ("vstack", "vstack", [[X, f(2, 4)]], {}),
    ("unstack", "unstack", [X3], {"axis": 1}),
    ("diagonal", "diagonal", [X3], {"offset": 1, "axis1": 1, "axis2": 2}),
    ("diagonal-neg", "diagonal", [X], {"offset": -1}),
    ("trace", "trace", [X3], {"axis1": -2, "axis2": -1}),
    ("outer", "outer", [f(3), f(2, 2)], {}),
    ("meshgrid", "meshgrid", [f(3), f(2)], {}),
    ("meshgrid-ij", "meshgrid", [f(3), f(2)], {"indexing": "ij"}),
    ("tri", "tri", [3, 4], {"k": 1}),
    ("full_like", "full_like", [X, 2.5], {}),
    ("copy", "copy", [X], {}),
    ("all", "all", [X > -1.5], {"axis": 1}),
    ("any", "any", [X > 1.5], {"axis": 0, "keepdims": True}),
    ("count_nonzero", "count_nonzero", [np.round(X)], {"axis": 1}),
    ("isclose", "isclose", [X, np.round(X, 1)], {"atol": 0.02}),
    ("nan_to_num", "nan_to_num", [np.array([1.0, np.nan, np.inf, -np.inf], "float32")],
     {"nan": -1.0, "posinf": 9.0}),
    ("median", "median", [X3], {"axis": 1}),
    ("median-all", "median", [X], {}),
    ("quantile", "quantile", [X3, 0.3], {"axis": -1}),
    ("quantile-list", "quantile", [X3, np.array([0.1, 0.5, 0.95], "float32")],
     {"axis": (0, 2), "keepdims": True}),
    ("quantile-lower", "quantile", [X, 0.4], {"method": "lower"}),
    ("quantile-higher", "quantile", [X, 0.4], {"axis": 0, "method": "higher"}),
    ("quantile-midpoint", "quantile", [X, 0.4], {"axis": 1, "method": "midpoint"}),
    ("quantile-nearest", "quantile", [X, 0.6], {"method": "nearest"}),
    ("percentile", "percentile", [X3, np.array([10.0, 75.0], "float32")], {"axis": 1}),
]


def _call(keras, name, args, kwargs, pair):
    space = keras.ops
    for part in name.split(".")[:-1]:
        space = getattr(space, part)
    fn = getattr(space, name.split(".")[-1])
    if pair:
        return fn((args[0], args[1]), *args[2:], **kwargs)
    return fn(*args, **kwargs)


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [a for o in out for a in _flat(o)]
    return [out]


def _arg(rec, cid, name, a):
    if isinstance(a, list) and a and isinstance(a[0], np.ndarray):
        return {"keys": [rec.arr(cid, f"{name}_{j}", v, dtype=v.dtype) for j, v in enumerate(a)]}
    if isinstance(a, (np.ndarray, np.generic)):
        return {"key": rec.arr(cid, name, a, dtype=np.asarray(a).dtype)}
    return {"value": a}


def generate(keras):
    rec = Recorder("ops_extra", keras_meta())
    for spec in CASES:
        cid, name, args, kwargs = spec[:4]
        pair = len(spec) > 4 and spec[4]
        outs = _flat(_call(keras, name, args, kwargs, pair))
        rec.case({"id": cid, "op": name, "pair": bool(pair),
                  "args": [_arg(rec, cid, f"arg{i}", a) for i, a in enumerate(args)],
                  "kwargs": {k: list(v) if isinstance(v, tuple) else v
                             for k, v in kwargs.items()},
                  "outputs": [rec.arr(cid, f"out{i}", to_np(o)) for i, o in enumerate(outs)],
                  "dtypes": [str(np.asarray(o).dtype) for o in outs]})
    # Control flow (eager): while_loop, fori_loop, scan, cond, custom_gradient values.
    ops = keras.ops
    carry, ys = ops.scan(lambda c, x: (c * 0.5 + x, c * x), np.float32(1.0), X[0])
    rec.case({"id": "scan", "x": rec.arr("scan", "x", X[0]),
              "carry": rec.arr("scan", "carry", to_np(carry)), "ys": rec.arr("scan", "ys", to_np(ys))})
    carry, ys = ops.scan(lambda c, x: (c + x, c), np.zeros(4, "float32"), X, reverse=True)
    rec.case({"id": "scan-reverse", "x": rec.arr("scan-reverse", "x", X),
              "carry": rec.arr("scan-reverse", "carry", to_np(carry)),
              "ys": rec.arr("scan-reverse", "ys", to_np(ys))})
    w = ops.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s * 1.5 + i), (0, np.float32(1.0)))
    rec.case({"id": "while_loop", "out": [int(w[0]), float(w[1])]})
    w = ops.while_loop(lambda i: i < 100, lambda i: i + 3, 0, maximum_iterations=4)
    rec.case({"id": "while_loop-max", "out": int(w)})
    v = ops.fori_loop(1, 6, lambda i, x: x * 0.5 + i, np.float32(2.0))
    rec.case({"id": "fori_loop", "out": float(v)})
    return rec.save()
