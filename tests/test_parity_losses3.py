"""Parity: regression, hinge and probabilistic losses against real Keras 3 goldens.

Goldens: tests/goldens/losses3.{json,npz}, written by tools/goldens_losses3.py
(`KERAS_BACKEND=jax python tools/make_goldens.py losses3`). Covers the function
form (per-sample values), the class form under every reduction with and
without sample_weight, get_config() keys and values, keras.losses.get()
names and aliases, and each loss compiled as a model's loss and metrics in
model.evaluate / model.fit.
"""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import losses
from parity_goldens import as_numpy, load_goldens

RTOL, ATOL = 1e-4, 1e-6


DOC, A = load_goldens("losses3")


def _cases(kind):
    return [c for c in DOC["cases"] if c["kind"] == kind]


FN_CASES, CLS_CASES = _cases("function"), _cases("class")
CONFIG_CASES, ALIAS_CASES, EVAL_CASES = _cases("config"), _cases("alias"), _cases("evaluate")

NEW_FUNCTIONS = ["mean_absolute_error", "mean_absolute_percentage_error",
                 "mean_squared_logarithmic_error", "huber", "log_cosh", "hinge",
                 "squared_hinge", "categorical_hinge", "kl_divergence", "poisson",
                 "cosine_similarity"]
NEW_CLASSES = ["MeanAbsoluteError", "MeanAbsolutePercentageError",
               "MeanSquaredLogarithmicError", "Huber", "LogCosh", "Hinge", "SquaredHinge",
               "CategoricalHinge", "KLDivergence", "Poisson", "CosineSimilarity"]


def check(got, expected):
    got = as_numpy(got)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    assert got.dtype == np.float32, got.dtype
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)


def test_goldens_cover_the_brief():
    assert {c["name"] for c in FN_CASES} == set(NEW_FUNCTIONS)
    assert {c["name"] for c in CLS_CASES} == set(NEW_CLASSES)
    reductions = {(c["kwargs"].get("reduction"), c["sample_weight"] is not None)
                  for c in CLS_CASES}
    for r in (None, "sum", "none", "mean_with_sample_weight"):
        assert (r, True) in reductions and (r, False) in reductions
    assert {c["name"] for c in CONFIG_CASES} >= set(NEW_CLASSES)
    assert len(EVAL_CASES) == len(NEW_FUNCTIONS)


@pytest.mark.parametrize("case", FN_CASES, ids=[c["id"] for c in FN_CASES])
def test_loss_function(case):
    fn = getattr(losses, case["name"])
    check(fn(A[case["y_true"]], A[case["y_pred"]], **case["kwargs"]), A[case["expected"]])


@pytest.mark.parametrize("case", CLS_CASES, ids=[c["id"] for c in CLS_CASES])
def test_loss_class(case):
    obj = getattr(losses, case["name"])(**case["kwargs"])
    yt, yp = A[case["y_true"]], A[case["y_pred"]]
    if case["sample_weight"] is None:
        got = obj(yt, yp)
    else:
        got = obj(yt, yp, sample_weight=A[case["sample_weight"]])
    check(got, A[case["expected"]])


@pytest.mark.parametrize("case", CONFIG_CASES, ids=[c["id"] for c in CONFIG_CASES])
def test_get_config_matches_keras(case):
    cls = getattr(losses, case["name"])
    obj = cls(**case["kwargs"])
    assert obj.name == case["loss_name"]
    config = obj.get_config()
    assert list(config) == list(case["config"])
    assert config == case["config"]
    clone = cls.from_config(config)
    assert type(clone) is cls
    assert clone.get_config() == config
    # a config written by Keras loads here too
    assert cls.from_config(dict(case["config"])).get_config() == case["config"]
    # and through losses.get
    again = losses.get({"class_name": case["name"], "config": case["config"]})
    assert type(again) is cls and again.get_config() == case["config"]


@pytest.mark.parametrize("case", ALIAS_CASES, ids=[c["id"] for c in ALIAS_CASES])
def test_get_resolves_like_keras(case):
    ident = case["identifier"]
    if case.get("error"):
        with pytest.raises(ValueError, match="Received: loss="):
            losses.get(ident)
        return
    obj = losses.get(ident)
    if case["instance"]:
        assert type(obj).__name__ == case["resolved"]
        assert isinstance(obj, losses.Loss)
    else:
        assert obj.__name__ == case["resolved"]
        assert obj is getattr(losses, case["resolved"])


@pytest.mark.parametrize("alias, fn", [("logcosh", "log_cosh"),
                                       ("kullback_leibler_divergence", "kl_divergence")])
def test_tf_keras_aliases(alias, fn):
    # tf.keras spellings that Keras 3 keeps only in keras._legacy; nbkeras accepts them.
    assert losses.get(alias) is getattr(losses, fn)


def test_module_aliases():
    assert losses.mae is losses.MAE is losses.mean_absolute_error
    assert losses.mape is losses.MAPE is losses.mean_absolute_percentage_error
    assert losses.msle is losses.MSLE is losses.mean_squared_logarithmic_error
    assert losses.kld is losses.KLD is losses.kl_divergence


@pytest.mark.parametrize("name", NEW_FUNCTIONS + NEW_CLASSES)
def test_registered(name):
    assert losses.ALL_OBJECTS[name] is getattr(losses, name)


@pytest.mark.parametrize("name", NEW_FUNCTIONS)
def test_shape_mismatch_message(name):
    msg = r"Received: y_true\.shape=\(4, 3\), y_pred\.shape=\(4, 2\)"
    with pytest.raises(ValueError, match=msg):
        getattr(losses, name)(np.zeros((4, 3), "float32"), np.ones((4, 2), "float32"))


def test_invalid_reduction():
    with pytest.raises(ValueError, match="Received: reduction='foo'"):
        losses.Huber(reduction="foo")


# ---- compile: the loss as a model's loss and metrics ------------------------
def _spec(spec):
    if "string" in spec:
        return spec["string"]
    if "function" in spec:
        return getattr(losses, spec["function"])
    return getattr(losses, spec["class"])(**spec["kwargs"])


def _model(case):
    model = keras.Sequential([keras.Input(shape=(4,)),
                              keras.layers.Dense(3, activation=case["activation"])])
    model.set_weights([A[case["kernel"]], A[case["bias"]]])
    opt = case["optimizer"]
    model.compile(optimizer=getattr(keras.optimizers, opt["class"])(**opt["kwargs"]),
                  loss=_spec(case["loss"]),
                  metrics=[_spec(m) for m in case["metrics"]],
                  weighted_metrics=[_spec(m) for m in case["weighted_metrics"]] or None)
    return model


_EVAL_KW = {"batch4": {"batch_size": 4}, "batch3": {"batch_size": 3},
            "batch4_sw": {"batch_size": 4, "sample_weight": True}}
_evaluated = {}


def _evaluate(case):
    if case["id"] not in _evaluated:
        model = _model(case)
        out = {}
        for tag, kw in _EVAL_KW.items():
            kw = dict(kw)
            if kw.pop("sample_weight", False):
                kw["sample_weight"] = A[case["sample_weight"]]
            out[tag] = model.evaluate(A[case["x"]], A[case["y"]], verbose=0,
                                      return_dict=True, **kw)
        _evaluated[case["id"]] = out
    return _evaluated[case["id"]]


EVAL_PARAMS = [pytest.param(c, tag, key, id=f"{c['id']}-{tag}-{key}")
               for c in EVAL_CASES for tag, logs in c["evaluate"].items() for key in logs]


@pytest.mark.parametrize("case, tag, key", EVAL_PARAMS)
def test_evaluate(case, tag, key):
    logs = _evaluate(case)[tag]
    assert key in logs, sorted(logs)
    np.testing.assert_allclose(float(logs[key]), case["evaluate"][tag][key],
                               rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", EVAL_CASES, ids=[c["id"] for c in EVAL_CASES])
def test_evaluate_log_names(case):
    logs = _evaluate(case)["batch4"]
    assert sorted(logs) == sorted(case["evaluate"]["batch4"])


STRING_CASES = [c for c in EVAL_CASES if c["metric_string"]]


@pytest.mark.parametrize("case", STRING_CASES, ids=[c["id"] for c in STRING_CASES])
def test_evaluate_metric_string(case):
    """The loss's name as a metric string resolves through nbkeras.metrics, as in Keras."""
    string = case["metric_string"]
    try:
        keras.metrics.get(string)
    except ValueError:
        pytest.xfail(f"nbkeras.metrics has no metric {string!r} yet (metrics module)")
    model = _model(dict(case, metrics=[{"string": string}], weighted_metrics=[]))
    logs = model.evaluate(A[case["x"]], A[case["y"]], batch_size=4, verbose=0,
                          return_dict=True)
    expected = case["metric_string_evaluate"]
    assert sorted(logs) == sorted(expected)
    for key, value in expected.items():
        np.testing.assert_allclose(float(logs[key]), value, rtol=RTOL, atol=ATOL, err_msg=key)


@pytest.mark.parametrize("case", EVAL_CASES, ids=[c["id"] for c in EVAL_CASES])
def test_fit_with_loss(case):
    model = _model(case)
    hist = model.fit(A[case["x"]], A[case["y"]], batch_size=4, epochs=2, shuffle=False,
                     verbose=0)
    np.testing.assert_allclose(hist.history["loss"], case["history"]["loss"],
                               rtol=RTOL, atol=ATOL)
    for got, key in zip(model.get_weights(), case["weights_after_fit"]):
        np.testing.assert_allclose(got, A[key], rtol=RTOL, atol=ATOL)
