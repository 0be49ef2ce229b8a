"""The keras.ops functions of issue 14's list against real Keras 3 (goldens:
tests/goldens/ops_extra.json, written by tools/goldens_ops_extra.py), at rtol 1e-4."""

import numpy as np
import pytest

from nbkeras import ops
from parity_goldens import load_goldens

DOC, ARR = load_goldens("ops_extra")
CASES = {c["id"]: c for c in DOC["cases"]}
OP_CASES = [c for c in DOC["cases"] if "op" in c]


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [a for o in out for a in _flat(o)]
    return [out]


def _fn(name):
    space = ops
    for part in name.split(".")[:-1]:
        space = getattr(space, part)
    return getattr(space, name.split(".")[-1])


@pytest.mark.parametrize("case", OP_CASES, ids=[c["id"] for c in OP_CASES])
def test_op_matches_keras(case):
    args = [ARR[a["key"]] if "key" in a else [ARR[k] for k in a["keys"]] if "keys" in a
            else a["value"] for a in case["args"]]
    kwargs = dict(case["kwargs"])
    if kwargs.get("ord") in (float("inf"), float("-inf")):
        kwargs["ord"] = np.inf if kwargs["ord"] > 0 else -np.inf
    fn = _fn(case["op"])
    out = fn((args[0], args[1]), *args[2:], **kwargs) if case["pair"] else fn(*args, **kwargs)
    outs = _flat(out)
    assert len(outs) == len(case["outputs"])
    for got, key, dtype in zip(outs, case["outputs"], case["dtypes"]):
        got, want = np.asarray(ops.convert_to_numpy(got)), ARR[key]
        assert got.shape == want.shape, (got.shape, want.shape)
        if want.dtype.kind == "f":
            assert got.dtype == np.dtype(dtype) or dtype == "float64", (got.dtype, dtype)
            np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
        else:
            assert got.dtype.kind == want.dtype.kind or want.dtype.kind in "iu" and \
                got.dtype.kind in "iu", (got.dtype, want.dtype)
            np.testing.assert_array_equal(got, want)


def test_scan_matches_keras():
    c = CASES["scan"]
    carry, ys = ops.scan(lambda c, x: (c * 0.5 + x, c * x), np.float32(1.0), ARR[c["x"]])
    np.testing.assert_allclose(carry, ARR[c["carry"]], rtol=1e-5)
    np.testing.assert_allclose(ys, ARR[c["ys"]], rtol=1e-5)
    c = CASES["scan-reverse"]
    carry, ys = ops.scan(lambda c, x: (c + x, c), np.zeros(4, "float32"), ARR[c["x"]],
                         reverse=True)
    np.testing.assert_allclose(carry, ARR[c["carry"]], rtol=1e-5)
    np.testing.assert_allclose(ys, ARR[c["ys"]], rtol=1e-5)


def test_loops_match_keras():
    w = ops.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s * 1.5 + i),
                       (0, np.float32(1.0)))
    assert isinstance(w, tuple) and w[0] == CASES["while_loop"]["out"][0]
    np.testing.assert_allclose(float(w[1]), CASES["while_loop"]["out"][1], rtol=1e-6)
    w = ops.while_loop(lambda i: i < 100, lambda i: i + 3, 0, maximum_iterations=4)
    assert w == CASES["while_loop-max"]["out"]
    v = ops.fori_loop(1, 6, lambda i, x: x * 0.5 + i, np.float32(2.0))
    np.testing.assert_allclose(float(v), CASES["fori_loop"]["out"], rtol=1e-6)
    assert ops.cond(np.array(True), lambda: "a", lambda: "b") == "a"
    assert ops.cond(0, lambda: "a", lambda: "b") == "b"
    np.testing.assert_array_equal(ops.map(lambda x: x * 2.0, np.arange(3.0)), [0.0, 2.0, 4.0])


@pytest.mark.parametrize("call, match", [
    (lambda: ops.split(np.zeros(5), 2), "equal sections"),
    (lambda: ops.pad(np.zeros(2), [[1, 1]], mode="bogus"), "mode"),
    (lambda: ops.pad(np.zeros(2), [[1, 1]], mode="edge", constant_values=1), "constant_values"),
    (lambda: ops.top_k(np.zeros(3), 5), "k"),
    (lambda: ops.fft(np.zeros(3)), "real, imag"),
    (lambda: ops.segment_sum(np.zeros(3), np.array([0, 1])), "segment_ids"),
    (lambda: ops.norm(np.zeros((2, 2)), ord="bogus"), "ord"),
    (lambda: ops.slice(np.zeros((2, 2)), (0,), (1, 1)), "start_indices"),
    (lambda: ops.cond(np.array([True, False]), lambda: 1, lambda: 2), "scalar"),
    (lambda: ops.while_loop(lambda a, b: a < 1, lambda a, b: (a + 1,), (0, 0)), "loop variables"),
    (lambda: ops.image.extract_patches(np.zeros((4, 4)), 2), "rank 3 or 4"),
])
def test_bad_input_raises_a_keras_style_error(call, match):
    with pytest.raises(ValueError, match=match) as err:
        call()
    assert "Received:" in str(err.value)
