"""Parity: Keras 3's stateful metrics, their function forms, names and compile() logs.

Goldens: tests/goldens/metrics3.{json,npz}, written by tools/goldens_metrics3.py
(`KERAS_BACKEND=jax python tools/make_goldens.py metrics3`). Covers every metric
class after one update, two updates (also replayed as two `__call__`s), one
update with sample_weight and update / reset_state / update, with its state
variables; get_config() keys and values; the function forms; what
keras.metrics.get() gives for each name and alias; and the logs of tiny models
compiled with metric strings, Metric objects, Loss objects and functions
(evaluate with even / uneven batches and sample_weight, and fit history).
"""

import numpy as np
import pytest

import nbkeras as keras
from nbkeras import metrics
from parity_goldens import load_goldens

RTOL, ATOL = 1e-4, 1e-6


DOC, A = load_goldens("metrics3")


def _cases(kind, **match):
    return [c for c in DOC["cases"]
            if c["kind"] == kind and all(c.get(k) == v for k, v in match.items())]


DATA = {c["name"]: c for c in _cases("data")}
METRIC_CASES = _cases("metric")
TWO_UPDATES = _cases("metric", mode="two_updates")
SINGLE = _cases("metric", mode="single")
CONFIG_CASES, FN_CASES = _cases("config"), _cases("function")
ALIAS_CASES, MODEL_CASES = _cases("alias"), _cases("model")


def ids(cases):
    return [c["id"] for c in cases]


def _arr(key):
    return None if key is None else A[key]


def _halves(a):
    if a is None:
        return None, None
    h = (len(a) + 1) // 2
    return a[:h], a[h:]


def _make(case):
    return getattr(metrics, case["class"])(**case["kwargs"])


def _update(m, t, p, w=None):
    if t is None:  # Mean / Sum take (values, sample_weight)
        m.update_state(p, sample_weight=w)
    else:
        m.update_state(t, p, sample_weight=w)


def _data(case):
    d = DATA[case["data"]]
    return _arr(d["y_true"]), _arr(d["y_pred"]), _arr(d["sample_weight"])


def _run(m, case):
    yt, yp, sw = _data(case)
    (t1, t2), (p1, p2), (w1, w2) = _halves(yt), _halves(yp), _halves(sw)
    mode = case["mode"]
    if mode == "single":
        _update(m, yt, yp)
    elif mode == "two_updates":
        _update(m, t1, p1)
        _update(m, t2, p2)
    elif mode == "sample_weight":
        _update(m, yt, yp, sw)
    else:
        _update(m, t1, p1, w1)
        m.reset_state()
        _update(m, t2, p2, w2)
    return m.result()


def check(got, expected, what=""):
    got = np.asarray(got)
    assert got.shape == expected.shape, (what, got.shape, expected.shape)
    np.testing.assert_allclose(got.astype(np.float64), expected, rtol=RTOL, atol=ATOL,
                               err_msg=what)


@pytest.mark.parametrize("case", METRIC_CASES, ids=ids(METRIC_CASES))
def test_metric_result(case):
    m = _make(case)
    check(_run(m, case), A[case["expected"]])


@pytest.mark.parametrize("case", TWO_UPDATES, ids=ids(TWO_UPDATES))
def test_metric_call_accumulates(case):
    """`m(...)` updates the state and returns the result so far."""
    m = _make(case)
    yt, yp, _ = _data(case)
    (t1, t2), (p1, p2) = _halves(yt), _halves(yp)
    if yt is None:
        m(p1)
        got = m(p2)
    else:
        m(t1, p1)
        got = m(t2, p2)
    check(got, A[case["expected"]])


@pytest.mark.parametrize("case", SINGLE, ids=ids(SINGLE))
def test_metric_variables(case):
    m = _make(case)
    _run(m, case)
    assert [v.name for v in m.variables] == case["variables"]
    for v, key in zip(m.variables, case["variable_values"]):
        check(keras.ops.convert_to_numpy(v), A[key], v.name)
        assert np.dtype(v.dtype) == np.float32
        assert v.path == f"{m.name}/{v.name}"


@pytest.mark.parametrize("case", SINGLE, ids=ids(SINGLE))
def test_metric_reset_state_zeroes(case):
    m = _make(case)
    _run(m, case)
    m.reset_state()
    for v in m.variables:
        assert not np.any(keras.ops.convert_to_numpy(v))
    check(m.result(), np.zeros_like(A[case["expected"]]))


def _plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


@pytest.mark.parametrize("case", CONFIG_CASES, ids=ids(CONFIG_CASES))
def test_get_config(case):
    keras.backend.clear_session()
    cfg = _make(case).get_config()
    assert list(cfg) == case["keys"]
    got = {k: _plain(v) for k, v in cfg.items()}
    for k, expected in case["config"].items():
        if isinstance(expected, list) and expected and isinstance(expected[0], float):
            np.testing.assert_allclose(got[k], expected, rtol=1e-6, err_msg=k)
        else:
            assert got[k] == expected, (k, got[k], expected)


@pytest.mark.parametrize("case", CONFIG_CASES, ids=ids(CONFIG_CASES))
def test_from_config_round_trip(case):
    keras.backend.clear_session()
    m = _make(case)
    clone = type(m).from_config(m.get_config())
    assert {k: _plain(v) for k, v in clone.get_config().items()} == \
        {k: _plain(v) for k, v in m.get_config().items()}


@pytest.mark.parametrize("case", FN_CASES, ids=ids(FN_CASES))
def test_metric_function(case):
    fn = getattr(metrics, case["name"])
    got = keras.ops.convert_to_numpy(fn(A[case["y_true"]], A[case["y_pred"]], **case["kwargs"]))
    check(got, A[case["expected"]])


@pytest.mark.parametrize("case", ALIAS_CASES, ids=ids(ALIAS_CASES))
def test_get_alias(case):
    keras.backend.clear_session()
    if case["error"]:
        with pytest.raises(getattr(__builtins__, case["error"], None) or ValueError):
            metrics.get(case["identifier"])
        return
    obj = metrics.get(case["identifier"])
    assert type(obj).__name__ == case["class"]
    assert obj.name == case["name"]


def build_metric(spec):
    if "string" in spec:
        return spec["string"]
    if "metric" in spec:
        return getattr(metrics, spec["metric"])(**spec["kwargs"])
    if "loss" in spec:
        return getattr(keras.losses, spec["loss"])(**spec["kwargs"])
    return getattr(getattr(keras, spec["module"]), spec["function"])


def _model(case):
    keras.backend.clear_session()
    model = keras.Sequential([keras.layers.Input(shape=(4,)),
                              keras.layers.Dense(case["units"], activation=case["activation"])])
    model.set_weights([A[case["kernel"]], A[case["bias"]]])
    model.compile(optimizer=keras.optimizers.SGD(**case["optimizer"]["kwargs"]),
                  loss=case["loss"],
                  metrics=[build_metric(m) for m in case["metrics"]],
                  weighted_metrics=[build_metric(m) for m in case["weighted_metrics"]])
    return model


EVAL_TAGS = {"batch4": {"batch_size": 4}, "batch10": {"batch_size": 10},
             "batch4_sw": {"batch_size": 4, "sample_weight": True}}
EVAL_PARAMS = [(c, tag) for c in MODEL_CASES for tag in EVAL_TAGS]


def _eval_kwargs(case, tag):
    kw = dict(EVAL_TAGS[tag])
    if kw.pop("sample_weight", False):
        kw["sample_weight"] = A[case["sample_weight"]]
    return kw


@pytest.mark.parametrize("case, tag", EVAL_PARAMS,
                         ids=[f"{c['id']}-{t}" for c, t in EVAL_PARAMS])
def test_model_evaluate_logs(case, tag):
    expected = case["evaluate"][tag]
    logs = _model(case).evaluate(A[case["x"]], A[case["y"]], verbose=0, return_dict=True,
                                 **_eval_kwargs(case, tag))
    assert sorted(logs) == sorted(expected["keys"])
    for k, v in zip(expected["keys"], expected["values"]):
        np.testing.assert_allclose(float(logs[k]), v, rtol=RTOL, atol=ATOL, err_msg=k)


@pytest.mark.parametrize("case, tag", EVAL_PARAMS,
                         ids=[f"{c['id']}-{t}" for c, t in EVAL_PARAMS])
def test_model_evaluate_list(case, tag):
    got = _model(case).evaluate(A[case["x"]], A[case["y"]], verbose=0,
                                **_eval_kwargs(case, tag))
    expected = case["evaluate"][tag]["list"]
    assert len(got) == len(expected)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", MODEL_CASES, ids=ids(MODEL_CASES))
def test_model_fit_history(case):
    model = _model(case)
    hist = model.fit(A[case["x"]], A[case["y"]], batch_size=4, epochs=2, shuffle=False,
                     verbose=0, sample_weight=A[case["sample_weight"]])
    assert sorted(hist.history) == sorted(case["history_keys"])
    for k, values in case["history"].items():
        np.testing.assert_allclose(hist.history[k], values, rtol=RTOL, atol=ATOL, err_msg=k)


# ---- API behaviour that needs no golden ---------------------------------------------
def test_custom_metric_subclass():
    """The Keras subclassing pattern: add_variable in __init__, assign in update_state."""

    class Positives(metrics.Metric):
        def __init__(self, name="positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.count = self.add_variable(shape=(), initializer="zeros", name="count")
            self.inner = metrics.Sum(name="inner")

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.count.assign_add(np.sum(np.asarray(y_pred) > 0.5))
            self.inner.update_state(y_pred)

        def result(self):
            return self.count

    m = Positives()
    m([0, 1], [0.7, 0.9])
    assert float(m.result()) == 2.0
    assert [v.path for v in m.variables] == ["positives/count", "inner/total"]
    m.reset_state()
    assert float(m.result()) == 0.0 and float(m.inner.result()) == 0.0


def test_compile_names_and_losses_as_metrics():
    """A metric string names its log ('mse'); a Loss object logs under its name and is
    averaged per batch; a function logs under its snake-cased name."""
    keras.backend.clear_session()
    model = keras.Sequential([keras.layers.Input(shape=(2,)), keras.layers.Dense(1)])
    model.compile(loss="mse", metrics=["mse", keras.losses.MeanAbsoluteError(),
                                       keras.losses.mean_squared_error, "auc"])
    logs = model.evaluate(np.ones((3, 2), "float32"), np.ones((3, 1), "float32"), verbose=0,
                          return_dict=True)
    assert sorted(logs) == ["auc", "loss", "mean_absolute_error", "mean_squared_error", "mse"]


@pytest.mark.parametrize("make, words", [
    (lambda: metrics.Precision(thresholds=[0.5, 1.5]), ["[0, 1]", "Received: thresholds="]),
    (lambda: metrics.AUC(num_thresholds=1), ["> 1", "Received: num_thresholds=1"]),
    (lambda: metrics.AUC(curve="ROCK"), ["curve", "Received: curve='ROCK'"]),
    (lambda: metrics.AUC(summation_method="mid"), ["Received: summation_method='mid'"]),
    (lambda: metrics.AUC(num_labels=3), ["multi_label", "Received: num_labels=3"]),
    (lambda: metrics.AUC(multi_label=True).update_state([1, 0], [0.3, 0.8]),
     ["rank 2", "Received: y_pred.shape=(2,)"]),
    (lambda: metrics.Precision(class_id=1).update_state([1, 0], [0.3, 0.8]),
     ["class_id", "Received: y_pred.shape=(2,)"]),
    (lambda: metrics.get("ce"), ["'ce'", "Received: metric='ce'"]),
])
def test_errors(make, words):
    with pytest.raises(ValueError) as info:
        make()
    for w in words:
        assert w in str(info.value)
