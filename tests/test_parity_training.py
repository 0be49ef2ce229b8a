"""Parity: compile / fit / evaluate / predict against real Keras 3 goldens.

Goldens: tests/goldens/training.{json,npz}, written by tools/make_goldens.py.
Each case is a small Sequential with explicitly set initial weights, fit for
5 epochs with shuffle=False.  Optimizers are given in nbkeras's spelling,
including Keras-2 spellings (lr=, decay=, epsilon=None) that the generator
translated to their exact Keras-3 equivalents, e.g. SGD(lr=0.01, decay=0.1)
== Keras 3 SGD(learning_rate=InverseTimeDecay(0.01, decay_steps=1,
decay_rate=0.1)).  Each case is trained once (cached) and checked by several
tests: history, final weights (incl. BatchNormalization moving stats),
evaluate (list and return_dict), predict.
"""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import losses, optimizers
from parity_goldens import as_numpy, build_sequential, load_goldens

RTOL, ATOL = 1e-4, 1e-6


DOC, A = load_goldens("training")
CASES = DOC["cases"]
IDS = [c["id"] for c in CASES]


def build_optimizer(spec):
    if isinstance(spec, str):
        return spec
    return getattr(optimizers, spec["class"])(**spec["kwargs"])


def build_loss(spec):
    if isinstance(spec, str):
        return spec
    if "function" in spec:
        return getattr(losses, spec["function"])
    return getattr(losses, spec["class"])(**spec.get("kwargs", {}))


def fit_kwargs(fit):
    kw = dict(fit)
    if "sample_weight" in kw:
        kw["sample_weight"] = A[kw["sample_weight"]]
    if "class_weight" in kw:
        kw["class_weight"] = {int(k): v for k, v in kw["class_weight"].items()}
    if "validation_data" in kw:
        kw["validation_data"] = tuple(A[k] for k in kw["validation_data"])
    return kw


_RESULTS = {}


def train(case):
    """Train the case once; every test of the case reads the cached result."""
    cid = case["id"]
    if cid not in _RESULTS:
        try:
            keras.backend.clear_session()
            model = build_sequential(case["layers"], case["build"])
            model.set_weights([A[k] for k in case["init_weights"]])
            c = case["compile"]
            compile_kw = {"optimizer": build_optimizer(c["optimizer"]),
                          "loss": build_loss(c["loss"])}
            if c["metrics"] is not None:
                compile_kw["metrics"] = c["metrics"]
            model.compile(**compile_kw)
            hist = model.fit(A[case["x"]], A[case["y"]], **fit_kwargs(case["fit"]))
            ex, ey = A[case["evaluate_x"]], A[case["evaluate_y"]]
            res = {
                "history": {k: np.asarray(v, dtype=np.float64)
                            for k, v in hist.history.items()},
                "weights": [as_numpy(w) for w in model.get_weights()],
                "evaluate": model.evaluate(ex, ey, verbose=0),
                "evaluate_dict": model.evaluate(ex, ey, verbose=0,
                                                return_dict=True),
                "predict": as_numpy(model.predict(A[case["predict_x"]],
                                                  verbose=0)),
            }
        except Exception as e:  # re-raised by every test of this case
            res = e
        _RESULTS[cid] = res
    res = _RESULTS[cid]
    if isinstance(res, Exception):
        raise res
    return res


def test_goldens_cover_the_brief():
    ids = set(IDS)
    for name in ("sgd_default", "sgd_momentum", "sgd_nesterov",
                 "rmsprop_default", "rmsprop_rho0.8", "rmsprop_momentum0.5",
                 "rmsprop_centered", "adam_default", "adam_amsgrad",
                 "adam_custom", "k2_sgd_lr_decay", "k2_adam_tutorial",
                 "k2_rmsprop_tutorial"):
        assert f"opt_{name}" in ids
    assert {"validation_split", "validation_data_3tuple", "class_weight_cat",
            "sample_weight_binary", "batchnorm_multibatch",
            "tutorial_rmsprop"} <= ids


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_history(case):
    hist = train(case)["history"]
    assert sorted(hist) == sorted(case["history_keys"])
    for k in case["history_keys"]:
        expected = A[case["history"][k]]
        got = hist[k]
        assert got.shape == expected.shape, (k, got.shape, expected.shape)
        np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL,
                                   err_msg=f"history[{k!r}]")


# A Dense bias that feeds BatchNormalization has an exact gradient of 0
# (BN subtracts the batch mean), so its trajectory is float32 rounding noise
# (~1e-9 gradients) that RMSprop/Adam turn into steps of ~1e-5; Keras and
# nbkeras round differently.  These weights ("zero_gradient_weights" in the
# golden) are checked with an absolute tolerance well above that noise but
# well below the ~5e-3 a real gradient moves the other weights by.
ZERO_GRAD_ATOL = 1e-4


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_final_weights(case):
    got = train(case)["weights"]
    expected = [A[k] for k in case["final_weights"]]
    assert len(got) == len(expected)
    for path, g, e in zip(case["weight_paths"], got, expected):
        assert g.shape == e.shape, (path, g.shape, e.shape)
        atol = ZERO_GRAD_ATOL if path in case["zero_gradient_weights"] else ATOL
        np.testing.assert_allclose(g, e, rtol=RTOL, atol=atol, err_msg=path)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_evaluate(case):
    res = train(case)
    expected = A[case["evaluate"]]
    got = np.asarray(res["evaluate"], dtype=np.float64)
    # Without compiled metrics Keras returns a bare scalar, else a list.
    assert got.shape == expected.shape, (got.shape, expected.shape)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)
    d = res["evaluate_dict"]
    keys = case["evaluate_dict_keys"]
    assert sorted(d) == sorted(keys)
    for k, v in zip(keys, A[case["evaluate_dict_values"]]):
        np.testing.assert_allclose(float(d[k]), v, rtol=RTOL, atol=ATOL,
                                   err_msg=f"return_dict[{k!r}]")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_predict(case):
    got = train(case)["predict"]
    expected = A[case["predict"]]
    assert got.shape == expected.shape, (got.shape, expected.shape)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("cid", ["validation_data_2tuple", "validation_split"])
def test_log_key_order(cid):
    """Keras 3 sorts log keys alphabetically (utils.python_utils.pythonify_logs)
    in history and in evaluate(return_dict=True): accuracy, loss,
    val_accuracy, val_loss."""
    case = CASES[IDS.index(cid)]
    res = train(case)
    assert list(res["history"]) == case["history_keys"]
    assert list(res["evaluate_dict"]) == case["evaluate_dict_keys"]
