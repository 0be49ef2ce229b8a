"""Parity: accuracy metrics and the resolution of compile(metrics=['accuracy']).

Goldens: tests/goldens/metrics.{json,npz}, written by tools/make_goldens.py.
Keras 3 resolves 'accuracy' / 'acc' from shapes only: last output dim 1 ->
BinaryAccuracy; y_true rank < y_pred rank, or y_true last dim 1 with
y_pred last dim > 1 -> SparseCategoricalAccuracy; otherwise
CategoricalAccuracy (even for a multi-label sigmoid + binary_crossentropy
model).  The generator checked that the candidate classes give different
values on the recorded data, so matching the evaluate() value pins the
resolved class.
"""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import layers, metrics
from parity_goldens import as_numpy, load_goldens

RTOL, ATOL = 1e-4, 1e-6


DOC, A = load_goldens("metrics")
FN_CASES = [c for c in DOC["cases"] if c.get("kind") == "function"]
CLS_CASES = [c for c in DOC["cases"] if c.get("kind") == "class"]
RESOLVE = [c for c in DOC["cases"] if c["id"].startswith("resolve_")]


@pytest.mark.parametrize("case", FN_CASES, ids=[c["id"] for c in FN_CASES])
def test_metric_function(case):
    fn = getattr(metrics, case["name"])
    got = as_numpy(fn(A[case["y_true"]], A[case["y_pred"]], **case["kwargs"]))
    expected = A[case["expected"]]
    assert got.shape == expected.shape, (got.shape, expected.shape)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", CLS_CASES, ids=[c["id"] for c in CLS_CASES])
def test_metric_class(case):
    m = getattr(metrics, case["name"])(**case["kwargs"])
    yt, yp = A[case["y_true"]], A[case["y_pred"]]
    if case["mode"] == "single":
        m.update_state(yt, yp)
    elif case["mode"] == "two_updates":
        m.update_state(yt[:3], yp[:3])
        m.update_state(yt[3:], yp[3:])
    else:
        m.update_state(yt, yp, sample_weight=A[case["sample_weight"]])
    got = float(as_numpy(m.result()))
    np.testing.assert_allclose(got, A[case["expected"]], rtol=RTOL, atol=ATOL)


def _evaluate(case):
    keras.backend.clear_session()
    model = keras.Sequential([
        layers.Input(shape=tuple(case["layers"][0]["kwargs"]["shape"])),
        layers.Dense(**case["layers"][1]["kwargs"]),
    ])
    model.set_weights([A[k] for k in case["weights"]])
    model.compile(**case["compile"])
    x, y = A[case["x"]], A[case["y"]]
    return model, x, y


@pytest.mark.parametrize("case", RESOLVE, ids=[c["id"] for c in RESOLVE])
def test_accuracy_resolution_evaluate(case):
    model, x, y = _evaluate(case)
    got = np.asarray(model.evaluate(x, y, verbose=0), dtype=np.float64)
    expected = A[case["evaluate_list"]]
    assert got.shape == expected.shape, (got.shape, expected.shape)
    np.testing.assert_allclose(got[0], expected[0], rtol=RTOL, atol=ATOL,
                               err_msg="loss")
    if not np.isclose(got[1], expected[1], rtol=RTOL, atol=ATOL):
        alts = {k: v for k, v in case["alternative_values"].items()
                if v is not None and np.isclose(got[1], v, rtol=RTOL, atol=ATOL)}
        pytest.fail(f"accuracy {got[1]:.6f} != Keras {expected[1]:.6f}: Keras "
                    f"resolves {case['compile']['metrics'][0]!r} to "
                    f"{case['resolved_class']}; nbkeras value matches {alts}")


@pytest.mark.parametrize("case", RESOLVE, ids=[c["id"] for c in RESOLVE])
def test_accuracy_resolution_return_dict(case):
    model, x, y = _evaluate(case)
    got = model.evaluate(x, y, verbose=0, return_dict=True)
    keys = case["evaluate_dict_keys"]
    assert sorted(got) == sorted(keys)
    expected = dict(zip(keys, A[case["evaluate_dict_values"]]))
    for k in keys:
        np.testing.assert_allclose(float(got[k]), expected[k], rtol=RTOL,
                                   atol=ATOL, err_msg=k)


@pytest.mark.parametrize("case", RESOLVE, ids=[c["id"] for c in RESOLVE])
def test_accuracy_resolution_class_value(case):
    """The standalone class Keras resolves to gives the evaluate() value."""
    model, x, y = _evaluate(case)
    pred = as_numpy(model.predict(x, verbose=0))
    m = getattr(metrics, case["resolved_class"])()
    m.update_state(y, pred)
    np.testing.assert_allclose(float(as_numpy(m.result())),
                               A[case["evaluate_list"]][1], rtol=RTOL, atol=ATOL)


def test_evaluate_return_dict_key_order():
    """Keras 3 sorts the return_dict keys: 'accuracy' comes before 'loss'."""
    case = RESOLVE[0]
    model, x, y = _evaluate(case)
    got = model.evaluate(x, y, verbose=0, return_dict=True)
    assert list(got) == case["evaluate_dict_keys"]
