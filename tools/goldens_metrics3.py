"""Group 'metrics3': Keras 3's stateful metrics, their function forms and names.

Records, from real Keras 3:
  * every metric class on fixed arrays (kind "metric"): one update, two
    updates (state accumulation; the tests also replay them as two
    `__call__`s), one update with sample_weight, and update / reset_state /
    update; the result, and after one update the state variables (names and
    values);
  * get_config() of each configuration, after clear_session so automatic names
    are the plain ones (kind "config");
  * function forms (kind "function");
  * what keras.metrics.get() gives for each name and alias, and which names it
    rejects (kind "alias");
  * tiny models compiled with many metric spellings (strings, Metric objects,
    Loss objects, functions, repeated and weighted names): evaluate() logs
    with even and uneven batches and with sample_weight, and fit() history
    (kind "model").

The data hold the values that decide thresholds and buckets: predictions of
exactly 0, 1, 0.5 and k/199 (AUC's default grid), predictions outside [0, 1],
non-binary labels, zero sample weights and ties between class scores.
"""

import json
import zlib

import numpy as np

from goldens_common import Recorder, jsonable, keras_meta, to_np

F = np.float32

# ---- data ---------------------------------------------------------------------
_rng = np.random.RandomState(31)
REG_T = np.array([[0.5, 1.0, -2.0], [3.0, 0.0, 0.5], [-1.5, 2.0, 0.25],
                  [10.0, -4.0, 1.0], [0.0, 0.0, 0.0], [2.0, 2.0, 2.0]], F)
REG_P = np.array([[0.0, 1.5, -1.0], [2.0, 0.25, 0.5], [1.5, -2.0, 1.0],
                  [8.0, -3.0, 1.0], [1.0, -1.0, 0.5], [2.0, 2.0, 2.0]], F)
POS_T = np.abs(REG_T) + F(0.5)
POS_P = np.abs(REG_P)
SW6 = np.array([1.0, 0.5, 2.0, 0.0, 1.5, 1.0], F)

# binary: exact 0 / 1 / 0.5, values on AUC's default grid (k / 199), ties
GRID = [F(50) / F(199), F(120) / F(199)]
BIN_T = np.array([1, 0, 1, 1, 0, 0, 1, 0, 1, 0], F)
BIN_P = np.array([0.9, 0.4, 0.5, 0.0, 1.0, 0.5, GRID[0], GRID[1], 0.7, 0.2], F)
BIN_TC, BIN_PC = BIN_T[:, None], BIN_P[:, None]
SW10 = np.array([1.0, 2.0, 0.5, 0.0, 1.0, 3.0, 1.0, 0.25, 2.0, 1.0], F)
# predictions outside [0, 1] (clipped on the bucketed path only), labels not 0/1
WIDE_T = np.array([1, 0, 2, 0, 0.5, 1, 0, 1], F)
WIDE_P = np.array([1.2, -0.1, 0.5, 1.0, 0.0, 0.75, 0.25, 0.6], F)
LOGITS = np.array([2.0, -1.0, 0.0, -3.0, 1.5, 0.2, -0.4, 0.9, 3.0, -2.5], F)

# multi-label (6, 3)
ML_T = np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0, 1, 0], [1, 0, 0], [0, 1, 1]], F)
ML_P = np.array([[0.9, 0.2, 0.5], [0.1, 0.7, 0.6], [0.51, 0.49, 0.0],
                 [0.2, 1.0, 0.8], [0.65, 0.3, 0.3], [0.4, 0.45, 0.95]], F)

# categorical (8, 6), with a tie in the last row
CAT_LABELS = np.array([0, 1, 3, 2, 5, 4, 1, 2], np.int64)
CAT_T = np.eye(6, dtype=F)[CAT_LABELS]
CAT_P = _rng.dirichlet(np.ones(6), size=8).astype(F)
CAT_P[7] = [0.1, 0.3, 0.3, 0.1, 0.1, 0.1]
CAT_SORTED_IDS = np.argsort(-CAT_P, axis=-1, kind="stable").astype(F)
CAT_LOGITS = (_rng.randn(8, 6) * 2).astype(F)
SW8 = np.array([1.0, 0.0, 2.0, 0.5, 1.0, 1.5, 1.0, 0.25], F)

MEAN_V = np.array([[1.0, 3.0, 5.0], [7.0, -2.0, 0.5], [4.0, 4.0, 4.0],
                   [0.0, 1.0, 2.0], [9.0, -9.0, 3.0], [2.5, 2.5, 0.0]], F)

DATA = {
    # name: (y_true, y_pred, sample_weight)
    "values": (None, MEAN_V, SW6),
    "reg": (REG_T, REG_P, SW6),
    "pos": (POS_T, POS_P, SW6),
    "bin": (BIN_T, BIN_P, SW10),
    "bin_col": (BIN_TC, BIN_PC, SW10),
    "bin_wide": (WIDE_T, WIDE_P, SW10[:8]),
    "logits": (BIN_TC, LOGITS[:, None], SW10),
    "ml": (ML_T, ML_P, SW6),
    "cat": (CAT_T, CAT_P, SW8),
    "cat_logits": (CAT_T, CAT_LOGITS, SW8),
    "sparse": (CAT_LABELS, CAT_P, SW8),
    "sparse_col": (CAT_LABELS[:, None], CAT_P, SW8),
    "sparse_logits": (CAT_LABELS, CAT_LOGITS, SW8),
    "sparse_sorted": (CAT_LABELS, CAT_SORTED_IDS, SW8),
}

# ---- metric configurations ------------------------------------------------------
# (case id, class name, kwargs, data names)
SPECS = [
    ("mean", "Mean", {}, ["values"]),
    ("sum", "Sum", {}, ["values"]),
    ("mse", "MeanSquaredError", {}, ["reg"]),
    ("mae", "MeanAbsoluteError", {}, ["reg"]),
    ("mape", "MeanAbsolutePercentageError", {}, ["reg", "pos"]),
    ("msle", "MeanSquaredLogarithmicError", {}, ["pos", "reg"]),
    ("rmse", "RootMeanSquaredError", {}, ["reg"]),
    ("logcosh", "LogCoshError", {}, ["reg"]),
    ("cosine", "CosineSimilarity", {}, ["reg"]),
    ("cosine_named", "CosineSimilarity", {"name": "cos", "axis": 1}, ["reg"]),
    ("topk", "TopKCategoricalAccuracy", {}, ["cat"]),
    ("topk2", "TopKCategoricalAccuracy", {"k": 2}, ["cat"]),
    ("topk1", "TopKCategoricalAccuracy", {"k": 1}, ["cat"]),
    ("sparse_topk", "SparseTopKCategoricalAccuracy", {}, ["sparse"]),
    ("sparse_topk2", "SparseTopKCategoricalAccuracy", {"k": 2}, ["sparse", "sparse_col"]),
    ("sparse_topk_sorted", "SparseTopKCategoricalAccuracy",
     {"k": 2, "from_sorted_ids": True}, ["sparse_sorted"]),
    ("bce", "BinaryCrossentropy", {}, ["bin_col", "ml"]),
    ("bce_logits", "BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1},
     ["logits"]),
    ("cce", "CategoricalCrossentropy", {}, ["cat"]),
    ("cce_smooth", "CategoricalCrossentropy", {"label_smoothing": 0.2}, ["cat"]),
    ("cce_logits", "CategoricalCrossentropy", {"from_logits": True}, ["cat_logits"]),
    ("scce", "SparseCategoricalCrossentropy", {}, ["sparse", "sparse_col"]),
    ("scce_logits", "SparseCategoricalCrossentropy", {"from_logits": True},
     ["sparse_logits"]),
    ("scce_ignore", "SparseCategoricalCrossentropy", {"ignore_class": 1}, ["sparse"]),
    ("tp", "TruePositives", {}, ["bin", "ml", "bin_wide"]),
    ("fp", "FalsePositives", {}, ["bin", "ml"]),
    ("tn", "TrueNegatives", {}, ["bin", "ml"]),
    ("fn", "FalseNegatives", {}, ["bin", "ml"]),
    ("tp_list", "TruePositives", {"thresholds": [0.0, 0.3, 0.5, 0.7, 1.0]},
     ["bin", "bin_wide"]),
    ("fn_even", "FalseNegatives", {"thresholds": [0.0, 0.5, 1.0]}, ["bin", "bin_wide"]),
    ("tn_t", "TrueNegatives", {"thresholds": 0.25}, ["bin"]),
    ("fp_even", "FalsePositives", {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]},
     ["bin", "bin_wide"]),
    ("precision", "Precision", {}, ["bin", "bin_col", "ml", "bin_wide"]),
    ("precision_list", "Precision", {"thresholds": [0.3, 0.6]}, ["bin", "bin_wide"]),
    ("precision_even", "Precision", {"thresholds": [0.0, 0.5, 1.0]}, ["bin", "bin_wide"]),
    ("precision_topk", "Precision", {"top_k": 2}, ["ml", "cat"]),
    ("precision_class", "Precision", {"class_id": 1}, ["ml", "cat"]),
    ("precision_topk_class", "Precision", {"top_k": 2, "class_id": 2}, ["ml", "cat"]),
    ("precision_t_topk", "Precision", {"thresholds": 0.4, "top_k": 3}, ["ml"]),
    ("recall", "Recall", {}, ["bin", "bin_col", "ml", "bin_wide"]),
    ("recall_list", "Recall", {"thresholds": [0.3, 0.6]}, ["bin"]),
    ("recall_even", "Recall", {"thresholds": [0.0, 0.5, 1.0]}, ["bin", "bin_wide"]),
    ("recall_topk", "Recall", {"top_k": 2}, ["ml", "cat"]),
    ("recall_class", "Recall", {"class_id": 0}, ["ml", "cat"]),
    ("recall_topk_class", "Recall", {"top_k": 1, "class_id": 1}, ["ml"]),
    ("auc", "AUC", {}, ["bin", "bin_col", "ml", "bin_wide"]),
    ("auc_pr", "AUC", {"curve": "PR"}, ["bin", "ml"]),
    ("auc_minoring", "AUC", {"summation_method": "minoring"}, ["bin", "ml"]),
    ("auc_majoring", "AUC", {"summation_method": "majoring"}, ["bin"]),
    ("auc_pr_minoring", "AUC", {"curve": "PR", "summation_method": "minoring"}, ["bin"]),
    ("auc_pr_majoring", "AUC", {"curve": "PR", "summation_method": "majoring"}, ["bin"]),
    ("auc_10", "AUC", {"num_thresholds": 10}, ["bin", "ml"]),
    ("auc_pr_10", "AUC", {"num_thresholds": 10, "curve": "PR"}, ["bin"]),
    ("auc_3", "AUC", {"num_thresholds": 3}, ["bin"]),
    ("auc_thresholds", "AUC", {"thresholds": [0.1, 0.45, 0.6, 0.9]}, ["bin", "bin_wide"]),
    ("auc_thresholds_even", "AUC", {"thresholds": [0.25, 0.5, 0.75]}, ["bin"]),
    ("auc_multi", "AUC", {"multi_label": True}, ["ml"]),
    ("auc_multi_pr", "AUC", {"multi_label": True, "curve": "PR"}, ["ml"]),
    ("auc_multi_n", "AUC", {"multi_label": True, "num_labels": 3,
                            "summation_method": "majoring"}, ["ml"]),
    ("auc_multi_lw", "AUC", {"multi_label": True, "label_weights": [1.0, 2.0, 0.5]}, ["ml"]),
    ("auc_lw", "AUC", {"label_weights": [1.0, 2.0, 0.5]}, ["ml"]),
    ("auc_logits", "AUC", {"from_logits": True}, ["logits"]),
    ("auc_pr_logits", "AUC", {"from_logits": True, "curve": "PR"}, ["logits"]),
    ("hinge", "Hinge", {}, ["ml"]),
    ("squared_hinge", "SquaredHinge", {}, ["ml"]),
    ("categorical_hinge", "CategoricalHinge", {}, ["cat"]),
    ("kld", "KLDivergence", {}, ["cat"]),
    ("poisson", "Poisson", {}, ["pos"]),
]

MODES = ("single", "two_updates", "sample_weight", "reset")


def _halves(a):
    if a is None:
        return None, None
    h = (len(a) + 1) // 2
    return a[:h], a[h:]


def _run(m, mode, yt, yp, sw):
    """Drive metric `m` in `mode`; Mean / Sum take (values, sample_weight)."""
    def update(t, p, w=None):
        if t is None:
            m.update_state(p, sample_weight=w)
        else:
            m.update_state(t, p, sample_weight=w)

    (t1, t2), (p1, p2), (w1, w2) = _halves(yt), _halves(yp), _halves(sw)
    if mode == "single":
        update(yt, yp)
    elif mode == "two_updates":
        update(t1, p1)
        update(t2, p2)
    elif mode == "sample_weight":
        update(yt, yp, sw)
    else:  # reset: the first half is forgotten
        update(t1, p1, w1)
        m.reset_state()
        update(t2, p2, w2)
    return m.result()


def _data_cases(rec):
    """One case per data set: its arrays, which the metric cases name by `data`."""
    for dname, (yt, yp, sw) in DATA.items():
        cid = f"data-{dname}"
        rec.case({"id": cid, "kind": "data", "name": dname,
                  "y_true": None if yt is None else rec.arr(cid, "y_true", yt),
                  "y_pred": rec.arr(cid, "y_pred", yp),
                  "sample_weight": rec.arr(cid, "sw", sw)})


def _metric_cases(keras, rec):
    for sid, cls, kw, datas in SPECS:
        for dname in datas:
            yt, yp, sw = DATA[dname]
            for mode in MODES:
                cid = f"{sid}-{dname}-{mode}"
                m = getattr(keras.metrics, cls)(**kw)
                value = _run(m, mode, yt, yp, sw)
                case = {"id": cid, "kind": "metric", "class": cls, "kwargs": kw,
                        "data": dname, "mode": mode,
                        "expected": rec.arr(cid, "expected", to_np(value))}
                if mode == "single":
                    case["variables"] = [v.name for v in m.variables]
                    case["variable_values"] = [rec.arr(cid, f"var{i}", to_np(v.value))
                                               for i, v in enumerate(m.variables)]
                rec.case(case)


def _config_cases(keras, rec):
    seen = set()
    for sid, cls, kw, _ in SPECS:
        key = (cls, json.dumps(kw, sort_keys=True))
        if key in seen:
            continue
        seen.add(key)
        keras.utils.clear_session()
        cfg = getattr(keras.metrics, cls)(**kw).get_config()
        rec.case({"id": f"config-{sid}", "kind": "config", "class": cls, "kwargs": kw,
                  "keys": list(cfg), "config": jsonable(cfg)})


FUNCTIONS = [
    ("top_k_categorical_accuracy", {}, "cat"),
    ("top_k_categorical_accuracy", {"k": 1}, "cat"),
    ("top_k_categorical_accuracy", {"k": 2}, "cat"),
    ("sparse_top_k_categorical_accuracy", {}, "sparse"),
    ("sparse_top_k_categorical_accuracy", {"k": 2}, "sparse"),
    ("sparse_top_k_categorical_accuracy", {"k": 2}, "sparse_col"),
    ("sparse_top_k_categorical_accuracy", {"k": 3, "from_sorted_ids": True}, "sparse_sorted"),
    ("mean_squared_error", {}, "reg"),
    ("mean_absolute_error", {}, "reg"),
    ("mean_absolute_percentage_error", {}, "pos"),
    ("mean_squared_logarithmic_error", {}, "pos"),
    ("log_cosh", {}, "reg"),
    ("binary_crossentropy", {}, "bin_col"),
    ("categorical_crossentropy", {}, "cat"),
    ("sparse_categorical_crossentropy", {}, "sparse"),
]


def _function_cases(keras, rec):
    for i, (name, kw, dname) in enumerate(FUNCTIONS):
        yt, yp, _ = DATA[dname]
        cid = f"fn-{name}-{i}"
        val = getattr(keras.metrics, name)(yt, yp, **kw)
        rec.case({"id": cid, "kind": "function", "name": name, "kwargs": kw, "data": dname,
                  "y_true": rec.arr(cid, "y_true", yt), "y_pred": rec.arr(cid, "y_pred", yp),
                  "expected": rec.arr(cid, "expected", to_np(val))})


ALIASES = [
    "mse", "MSE", "mae", "MAE", "mape", "MAPE", "msle", "MSLE", "bce", "BCE",
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "root_mean_squared_error", "log_cosh_error",
    "cosine_similarity", "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
    "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
    "auc", "AUC", "precision", "Precision", "recall", "true_positives", "false_positives",
    "true_negatives", "false_negatives", "TruePositives", "sum", "mean", "Mean",
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "MeanSquaredError", "RootMeanSquaredError", "LogCoshError", "CosineSimilarity",
    "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "BinaryCrossentropy",
    "hinge", "squared_hinge", "categorical_hinge", "kl_divergence", "poisson", "KLDivergence",
    # rejected by keras.metrics.get in Keras 3
    "ce", "crossentropy", "logcosh", "acc", "rmse", "top_k", "AUC_PR", "kld", "huber",
]


def _alias_cases(keras, rec):
    for s in ALIASES:
        keras.utils.clear_session()
        try:
            obj = keras.metrics.get(s)
            case = {"class": type(obj).__name__, "name": obj.name, "error": None}
        except Exception as e:  # noqa: BLE001 - the error type is what is recorded
            case = {"class": None, "name": None, "error": type(e).__name__}
        rec.case({"id": f"alias-{s}", "kind": "alias", "identifier": s, **case})


# ---- models -------------------------------------------------------------------
# A metric spec is {"string": s}, {"metric": cls, "kwargs": {}},
# {"loss": cls, "kwargs": {}} (a Loss object as a metric) or
# {"function": name, "module": "metrics" | "losses"}.
def _s(s):
    return {"string": s}


def _m(cls, **kw):
    return {"metric": cls, "kwargs": kw}


MODELS = [
    {"id": "binary", "units": 1, "activation": "sigmoid", "y": "binary",
     "loss": "binary_crossentropy",
     "metrics": [_s("mse"), _s("mae"), _s("auc"), _s("recall"), _m("Precision"),
                 _s("precision"), _m("AUC", curve="PR", name="pr_auc"), _m("TruePositives"),
                 _m("FalseNegatives", thresholds=0.3), _s("binary_crossentropy"),
                 _s("bce"), {"loss": "MeanSquaredError", "kwargs": {}},
                 {"function": "mean_absolute_error", "module": "losses"}, _s("mse")],
     "weighted_metrics": [_s("mse"), _s("auc"), _m("Recall", thresholds=0.3)]},
    {"id": "regression", "units": 3, "activation": "linear", "y": "regression",
     "loss": "mse",
     "metrics": [_s("mae"), _s("MAPE"), _s("msle"), _s("cosine_similarity"),
                 _s("log_cosh_error"), _m("RootMeanSquaredError"),
                 {"loss": "MeanAbsoluteError", "kwargs": {"name": "mae_loss"}},
                 {"function": "mean_squared_logarithmic_error", "module": "metrics"},
                 _m("MeanSquaredError", name="my_mse")],
     "weighted_metrics": [_s("mae"), _m("RootMeanSquaredError", name="wrmse")]},
    {"id": "categorical", "units": 6, "activation": "softmax", "y": "onehot",
     "loss": "categorical_crossentropy",
     "metrics": [_s("top_k_categorical_accuracy"), _m("TopKCategoricalAccuracy", k=2, name="top2"),
                 _s("categorical_crossentropy"), _m("Precision", top_k=2),
                 _m("Recall", class_id=1), _m("AUC", multi_label=True, name="ml_auc"),
                 _s("accuracy"), _m("AUC", name="flat_auc")],
     "weighted_metrics": [_s("categorical_accuracy"), _m("CategoricalCrossentropy")]},
    {"id": "sparse", "units": 6, "activation": "softmax", "y": "labels",
     "loss": "sparse_categorical_crossentropy",
     "metrics": [_s("sparse_top_k_categorical_accuracy"),
                 _m("SparseTopKCategoricalAccuracy", k=2, name="top2"),
                 _s("sparse_categorical_crossentropy"),
                 _m("SparseCategoricalCrossentropy", ignore_class=0, name="scce_ign"),
                 _s("acc")],
     "weighted_metrics": [_s("sparse_categorical_accuracy"),
                          _m("SparseTopKCategoricalAccuracy", k=3)]},
]


def build_metric(keras, spec):
    if "string" in spec:
        return spec["string"]
    if "metric" in spec:
        return getattr(keras.metrics, spec["metric"])(**spec["kwargs"])
    if "loss" in spec:
        return getattr(keras.losses, spec["loss"])(**spec["kwargs"])
    return getattr(getattr(keras, spec["module"]), spec["function"])


def _model_data(kind, rng, n=10):
    x = rng.randn(n, 4).astype(F)
    if kind == "binary":
        y = rng.randint(0, 2, size=(n, 1)).astype(F)
    elif kind == "regression":
        y = (np.abs(rng.randn(n, 3)) + 0.1).astype(F)
    elif kind == "onehot":
        y = np.eye(6, dtype=F)[rng.randint(0, 6, size=n)]
    else:
        y = rng.randint(0, 6, size=n).astype(np.int64)
    return x, y


def _model_cases(keras, rec):
    for spec in MODELS:
        cid = f"model-{spec['id']}"
        rng = np.random.RandomState(zlib.crc32(cid.encode()))
        x, y = _model_data(spec["y"], rng)
        sw = np.array([1.0, 0.5, 2.0, 0.0, 1.0, 3.0, 0.25, 1.0, 1.5, 0.75], F)
        kernel = (rng.randn(4, spec["units"]) * 0.7).astype(F)
        bias = (rng.randn(spec["units"]) * 0.1).astype(F)

        def make():
            keras.utils.clear_session()
            model = keras.Sequential([keras.Input(shape=(4,)),
                                      keras.layers.Dense(spec["units"],
                                                         activation=spec["activation"])])
            model.set_weights([kernel, bias])
            model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss=spec["loss"],
                          metrics=[build_metric(keras, m) for m in spec["metrics"]],
                          weighted_metrics=[build_metric(keras, m)
                                            for m in spec["weighted_metrics"]])
            return model

        evaluate = {}
        for tag, kw in (("batch4", {"batch_size": 4}), ("batch10", {"batch_size": 10}),
                        ("batch4_sw", {"batch_size": 4, "sample_weight": sw})):
            model = make()
            logs = model.evaluate(x, y, verbose=0, return_dict=True, **kw)
            lst = make().evaluate(x, y, verbose=0, **kw)
            evaluate[tag] = {"keys": list(logs), "values": [float(v) for v in logs.values()],
                             "list": [float(v) for v in lst]}
        model = make()
        hist = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0,
                         sample_weight=sw)
        rec.case({"id": cid, "kind": "model", "units": spec["units"],
                  "activation": spec["activation"], "loss": spec["loss"],
                  "metrics": spec["metrics"], "weighted_metrics": spec["weighted_metrics"],
                  "optimizer": {"class": "SGD", "kwargs": {"learning_rate": 0.1}},
                  "x": rec.arr(cid, "x", x), "y": rec.arr(cid, "y", y),
                  "sample_weight": rec.arr(cid, "sw", sw),
                  "kernel": rec.arr(cid, "kernel", kernel), "bias": rec.arr(cid, "bias", bias),
                  "evaluate": evaluate,
                  "history_keys": list(hist.history),
                  "history": {k: [float(v) for v in vs] for k, vs in hist.history.items()}})


def generate(keras):
    rec = Recorder("metrics3", keras_meta())
    _data_cases(rec)
    _metric_cases(keras, rec)
    _config_cases(keras, rec)
    _function_cases(keras, rec)
    _alias_cases(keras, rec)
    _model_cases(keras, rec)
    return rec.save()
