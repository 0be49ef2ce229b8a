"""Parity: loss values against goldens recorded from real Keras 3.

Goldens: tests/goldens/losses.{json,npz}, written by tools/make_goldens.py.
Function form (keras.losses.binary_crossentropy(y_true, y_pred, ...)) gives
per-sample values; class form (keras.losses.BinaryCrossentropy(...)) gives
the reduced value for the default 'sum_over_batch_size', 'sum' and 'none'
reductions, with and without sample_weight.  The probability inputs hold
exact 0s and 1s, so Keras's epsilon clipping (1e-7) is exercised.
"""

import json

import numpy as np
import pytest

from nbkeras import losses
from parity_goldens import as_numpy, load_goldens

RTOL, ATOL = 1e-4, 1e-6


DOC, A = load_goldens("losses")
FN_CASES = [c for c in DOC["cases"] if c["kind"] == "function"]
CLS_CASES = [c for c in DOC["cases"] if c["kind"] == "class"]


def check(got, case):
    got = as_numpy(got)
    expected = A[case["expected"]]
    assert got.shape == expected.shape, (got.shape, expected.shape)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)


def test_goldens_cover_the_brief():
    names = {(c["name"], json.dumps(c["kwargs"], sort_keys=True))
             for c in DOC["cases"]}
    for fn in ("binary_crossentropy", "categorical_crossentropy"):
        for fl in (True, False):
            for ls in (0.0, 0.1):
                kw = json.dumps({"from_logits": fl, "label_smoothing": ls},
                                sort_keys=True)
                assert (fn, kw) in names
    assert {c["name"] for c in FN_CASES} >= {"sparse_categorical_crossentropy",
                                             "mean_squared_error"}
    assert {c["kwargs"].get("reduction") for c in CLS_CASES} == {None, "sum", "none"}


@pytest.mark.parametrize("case", FN_CASES, ids=[c["id"] for c in FN_CASES])
def test_loss_function(case):
    fn = getattr(losses, case["name"])
    got = fn(A[case["y_true"]], A[case["y_pred"]], **case["kwargs"])
    check(got, case)


@pytest.mark.parametrize("case", CLS_CASES, ids=[c["id"] for c in CLS_CASES])
def test_loss_class(case):
    obj = getattr(losses, case["name"])(**case["kwargs"])
    yt, yp = A[case["y_true"]], A[case["y_pred"]]
    if case["sample_weight"] is None:
        got = obj(yt, yp)
    else:
        got = obj(yt, yp, sample_weight=A[case["sample_weight"]])
    check(got, case)
