"""Parity: R2Score, F1Score/FBetaScore, the IoU family and the metrics at an operating point.

Goldens: tests/goldens/metrics_extra.{json,npz}, written by tools/goldens_metrics_extra.py
(`KERAS_BACKEND=jax python tools/make_goldens.py metrics_extra`): one update, two updates
and a weighted update of each configuration, and its config.
"""

import json

import numpy as np
import pytest

import nbkeras as keras
from parity_goldens import load_goldens

DOC, A = load_goldens("metrics_extra")
CASES = DOC["cases"]


def _run(case, mode):
    t, p, w = (A[k] for k in case["arrays"])
    m = getattr(keras.metrics, case["metric"])(**case["kwargs"])
    if mode == "single":
        m.update_state(t, p)
    elif mode == "two_updates":
        half = len(t) // 2
        m.update_state(t[:half], p[:half])
        m.update_state(t[half:], p[half:])
    else:
        m.update_state(t, p, sample_weight=w)
    return m


@pytest.mark.parametrize("mode", ["single", "two_updates", "weighted"])
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_metric_matches_keras(case, mode):
    m = _run(case, mode)
    np.testing.assert_allclose(np.asarray(m.result()), A[case["results"][mode]], rtol=1e-4,
                               atol=1e-6)
    m.reset_state()
    m.update_state(*(A[k] for k in case["arrays"][:2]))
    np.testing.assert_allclose(np.asarray(m.result()), A[case["results"]["single"]], rtol=1e-4,
                               atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_metric_config_matches_keras(case):
    m = getattr(keras.metrics, case["metric"])(**case["kwargs"])
    cfg = json.loads(json.dumps({k: v for k, v in m.get_config().items() if k != "name"}))
    want = dict(case["config"])
    if want.get("dtype") in ("int32", "int64"):  # Keras on JAX: int32; nbkeras: int64
        assert cfg.pop("dtype") in ("int32", "int64")
        want.pop("dtype")
    assert cfg == want
    clone = type(m).from_config(m.get_config())
    assert clone.get_config() == m.get_config()


@pytest.mark.parametrize("name", ["R2Score", "F1Score", "FBetaScore", "IoU", "MeanIoU",
                                  "BinaryIoU", "OneHotIoU", "PrecisionAtRecall",
                                  "RecallAtPrecision", "SensitivityAtSpecificity",
                                  "SpecificityAtSensitivity"])
def test_metrics_by_name(name):
    assert keras.metrics.ALL_OBJECTS[name] is getattr(keras.metrics, name)


def test_metric_argument_errors():
    with pytest.raises(ValueError, match="specificity"):
        keras.metrics.SensitivityAtSpecificity(1.5)
    with pytest.raises(ValueError, match="num_thresholds"):
        keras.metrics.PrecisionAtRecall(0.5, num_thresholds=0)
    with pytest.raises(ValueError, match="beta"):
        keras.metrics.FBetaScore(beta=2)
    with pytest.raises(ValueError, match="average"):
        keras.metrics.F1Score(average="mean")
    with pytest.raises(ValueError, match="class_aggregation"):
        keras.metrics.R2Score(class_aggregation="sum")
    with pytest.raises(ValueError, match="2D inputs"):
        keras.metrics.R2Score().update_state(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="out of range"):
        keras.metrics.IoU(3, target_class_ids=[3])


def test_new_metrics_in_compile_and_fit():
    keras.utils.set_random_seed(0)
    x = np.random.rand(32, 4).astype("float32")
    y = (x[:, :2] > 0.5).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy",
                  metrics=[keras.metrics.F1Score(average="micro", threshold=0.5),
                           keras.metrics.R2Score(), keras.metrics.BinaryIoU()])
    logs = model.fit(x, y, epochs=2, batch_size=8, verbose=0).history
    assert {"f1_score", "r2_score", "binary_io_u"} <= set(logs)
    assert all(np.isfinite(v).all() for v in logs["f1_score"])
