"""Group 'losses3': the regression, hinge and probabilistic losses.

Records, from real Keras 3:
  * function form: per-sample values (kind "function");
  * class form: reductions 'sum_over_batch_size' (the default), 'sum',
    'none' and 'mean_with_sample_weight', each with and without
    sample_weight (kind "class");
  * get_config() of every loss class, default and customised (kind "config");
  * what keras.losses.get() resolves each Keras 3 name and alias to (kind "alias");
  * each loss compiled as a model's loss and used as its metrics (function,
    Loss instance and, where Keras has one, the metric string) in a tiny
    model.evaluate, with even and uneven batches and with sample_weight, plus
    two epochs of SGD (kind "evaluate").

The inputs hold the extreme values that Keras guards: exact 0 and 1
probabilities, zero targets for MAPE, negatives for MSLE / KL divergence,
zero vectors for cosine similarity, {0, 1} hinge labels (mapped to {-1, 1}),
errors exactly at Huber's delta and errors large enough to overflow a naive
log(cosh(x)).
"""

import zlib

import numpy as np

from goldens_common import Recorder, keras_meta, to_np

F = np.float32

# ---- regression -------------------------------------------------------------
# zeros, negatives, exact matches, errors of exactly 0.5 and 1.0 (Huber ties)
# and large errors (Huber's linear branch, log-cosh overflow).
REG_TRUE = np.array([[0.0, 1.0, -2.0], [3.0, 0.0, 0.5],
                     [-1.5, 2.0, 0.0], [10.0, -4.0, 1.0]], F)
REG_PRED = np.array([[0.0, 1.5, -1.0], [0.0, 0.25, 0.5],
                     [1.5, -2.0, 1.0], [-20.0, 40.0, 1.0]], F)
# errors of +-100 and tiny ones: log(cosh(100)) overflows if computed naively
WIDE_TRUE = np.array([[0.0, 0.0, 0.0], [1.0, -1.0, 0.0]], F)
WIDE_PRED = np.array([[100.0, -100.0, 1e-3], [-60.0, 60.0, -1e-4]], F)
# column targets of shape (5,) against (5, 1) predictions (rank fix-up)
COL_TRUE = np.array([0.5, -1.0, 0.0, 2.0, 3.0], F)
COL_PRED = np.array([[0.0], [-1.0], [0.3], [1.0], [0.0]], F)
# positive-only data (MAPE / MSLE on the usual domain)
POS_TRUE = np.array([[100.0, 200.0, 300.0], [1.0, 2.0, 3.0],
                     [0.5, 0.25, 4.0], [7.0, 8.0, 9.0]], F)
POS_PRED = np.array([[90.0, 210.0, 310.0], [1.5, 2.0, 0.0],
                     [0.0, 0.3, 5.0], [6.0, 9.5, 9.0]], F)
# cosine: a zero target row, a zero prediction row, parallel, anti-parallel
COS_TRUE = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0],
                     [1.0, -1.0, 0.5], [2.0, 0.0, -1.0]], F)
COS_PRED = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0],
                     [2.0, -2.0, 1.0], [-4.0, 0.0, 2.0]], F)

# ---- hinge ------------------------------------------------------------------
HINGE_01 = np.array([[0, 1, 1], [1, 0, 0], [1, 1, 0], [0, 0, 0]], F)
HINGE_PM1 = np.array([[-1, 1, 1], [1, -1, -1], [1, 1, -1], [-1, -1, -1]], F)
# a 0 among -1/1 labels: not all binary, so nothing is converted
HINGE_MIXED = np.array([[-1, 1, 0], [1, -1, -1], [0, 1, -1], [-1, 1, 1]], F)
# margins of exactly 0 (1 - y * p == 0), large scores, zeros
HINGE_PRED = np.array([[-1.0, 1.0, 0.3], [2.5, -0.2, 0.0],
                       [0.6, -3.0, -1.0], [0.0, 1.0, -40.0]], F)
HINGE_COL_TRUE = np.array([1, 0, 1, 1, 0], F)
HINGE_COL_PRED = np.array([[0.8], [-0.35], [0.0], [1.0], [2.0]], F)
CAT_TRUE = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0]], F)
CAT_SCORES = np.array([[2.0, 1.0, 0.1], [0.0, 1.0, 0.0],
                       [-1.0, 0.5, -3.0], [30.0, -30.0, 0.0]], F)
CAT_PROBS = np.array([[0.7, 0.2, 0.1], [0.0, 1.0, 0.0],
                      [0.0, 0.0, 1.0], [0.2, 0.5, 0.3]], F)

# ---- probabilistic ----------------------------------------------------------
# KL: zeros (clipped up to epsilon), ones, entries above 1 and below 0
KL_TRUE = np.array([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0],
                    [0.2, 0.3, 0.5], [1.5, -0.5, 0.0]], F)
KL_PRED = np.array([[0.1, 0.45, 0.45], [0.0, 0.5, 0.5],
                    [0.2, 0.3, 0.5], [0.5, 0.5, 2.0]], F)
POIS_TRUE = np.array([[0.0, 1.0, 2.0], [3.0, 0.0, 1.0],
                      [0.0, 0.0, 0.0], [5.0, 1.0, 0.5]], F)
POIS_PRED = np.array([[0.5, 1.0, 0.0], [2.5, 0.1, 1.0],
                      [0.0, 1e-3, 4.0], [5.0, 0.2, 0.5]], F)

SW4 = np.array([1.0, 0.5, 2.0, 0.0], F)
SW2 = np.array([2.0, 0.5], F)
SW5 = np.array([1.0, 0.5, 2.0, 0.0, 3.0], F)
SW3 = np.array([0.5, 1.0, 2.0], F)


def _rank3(seed, kind):
    """(2, 3, 4) inputs; sample_weight of shape (2, 3) (one weight per time step)."""
    rng = np.random.RandomState(seed)
    t = rng.randn(2, 3, 4).astype(F)
    p = rng.randn(2, 3, 4).astype(F)
    if kind == "prob":
        t = np.exp(t) / np.exp(t).sum(-1, keepdims=True)
        p = np.exp(p) / np.exp(p).sum(-1, keepdims=True)
    elif kind == "pos":
        t, p = np.abs(t) * 2, np.abs(p) * 2
    elif kind == "sign":
        t = np.sign(t)
    elif kind == "onehot":
        t = np.eye(4, dtype=F)[rng.randint(0, 4, size=(2, 3))]
    sw = np.array([[1.0, 0.0, 2.0], [0.5, 1.5, 1.0]], F)
    return t.astype(F), p.astype(F), sw


R3_REG = _rank3(1, "reg")
R3_POS = _rank3(2, "pos")
R3_PROB = _rank3(3, "prob")
R3_SIGN = _rank3(4, "sign")
R3_ONEHOT = _rank3(5, "onehot")

# (variant id, function, class, function kwargs, class kwargs, y_true, y_pred, sample_weight)
V = []


def variant(vid, fn, cls, yt, yp, sw, kw=None):
    V.append((vid, fn, cls, dict(kw or {}), dict(kw or {}), yt, yp, sw))


for name, cls, extra in (
    ("mean_absolute_error", "MeanAbsoluteError", ()),
    ("mean_absolute_percentage_error", "MeanAbsolutePercentageError", ()),
    ("mean_squared_logarithmic_error", "MeanSquaredLogarithmicError", ()),
    ("huber", "Huber", ({"delta": 0.5}, {"delta": 2.0})),
    ("log_cosh", "LogCosh", ()),
):
    short = {"mean_absolute_error": "mae", "mean_absolute_percentage_error": "mape",
             "mean_squared_logarithmic_error": "msle"}.get(name, name)
    variant(f"{short}_reg", name, cls, REG_TRUE, REG_PRED, SW4)
    variant(f"{short}_wide", name, cls, WIDE_TRUE, WIDE_PRED, SW2)
    variant(f"{short}_column", name, cls, COL_TRUE, COL_PRED, SW5)
    variant(f"{short}_positive", name, cls, POS_TRUE, POS_PRED, SW4)
    variant(f"{short}_rank3", name, cls, *(R3_POS if short in ("mape", "msle") else R3_REG))
    for kw in extra:
        tag = "_".join(f"{k}{v}" for k, v in kw.items())
        variant(f"{short}_reg_{tag}", name, cls, REG_TRUE, REG_PRED, SW4, kw)

variant("cosine_reg", "cosine_similarity", "CosineSimilarity", REG_TRUE, REG_PRED, SW4)
variant("cosine_zero_rows", "cosine_similarity", "CosineSimilarity", COS_TRUE, COS_PRED, SW4)
variant("cosine_axis0", "cosine_similarity", "CosineSimilarity", COS_TRUE, COS_PRED, SW3,
        {"axis": 0})
variant("cosine_rank3", "cosine_similarity", "CosineSimilarity", *R3_REG)
variant("cosine_rank3_axis1", "cosine_similarity", "CosineSimilarity", R3_REG[0], R3_REG[1],
        np.array([[1.0, 0.0, 2.0, 0.5], [0.5, 1.5, 1.0, 3.0]], F), {"axis": 1})

for name, cls in (("hinge", "Hinge"), ("squared_hinge", "SquaredHinge")):
    variant(f"{name}_labels01", name, cls, HINGE_01, HINGE_PRED, SW4)
    variant(f"{name}_labels_pm1", name, cls, HINGE_PM1, HINGE_PRED, SW4)
    variant(f"{name}_labels_mixed", name, cls, HINGE_MIXED, HINGE_PRED, SW4)
    variant(f"{name}_all_zero_labels", name, cls, np.zeros_like(HINGE_01), HINGE_PRED, SW4)
    variant(f"{name}_column", name, cls, HINGE_COL_TRUE, HINGE_COL_PRED, SW5)
    variant(f"{name}_rank3", name, cls, *R3_SIGN)
variant("categorical_hinge_scores", "categorical_hinge", "CategoricalHinge",
        CAT_TRUE, CAT_SCORES, SW4)
variant("categorical_hinge_probs", "categorical_hinge", "CategoricalHinge",
        CAT_TRUE, CAT_PROBS, SW4)
variant("categorical_hinge_pm1", "categorical_hinge", "CategoricalHinge",
        2 * CAT_TRUE - 1, CAT_SCORES, SW4)
variant("categorical_hinge_rank3", "categorical_hinge", "CategoricalHinge", *R3_ONEHOT)

variant("kld_extremes", "kl_divergence", "KLDivergence", KL_TRUE, KL_PRED, SW4)
variant("kld_probs", "kl_divergence", "KLDivergence", CAT_TRUE, CAT_PROBS, SW4)
variant("kld_rank3", "kl_divergence", "KLDivergence", *R3_PROB)
variant("poisson_counts", "poisson", "Poisson", POIS_TRUE, POIS_PRED, SW4)
variant("poisson_rank3", "poisson", "Poisson", *R3_POS)

REDUCTIONS = (
    ("", {}, False), ("_sw", {}, True),
    ("_sum", {"reduction": "sum"}, False), ("_sum_sw", {"reduction": "sum"}, True),
    ("_none", {"reduction": "none"}, False), ("_none_sw", {"reduction": "none"}, True),
    ("_mws", {"reduction": "mean_with_sample_weight"}, False),
    ("_mws_sw", {"reduction": "mean_with_sample_weight"}, True),
)

CLASSES = ["MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
           "Huber", "LogCosh", "CosineSimilarity", "Hinge", "SquaredHinge", "CategoricalHinge",
           "KLDivergence", "Poisson",
           "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
           "MeanSquaredError"]
CONFIG_KWARGS = {
    "Huber": [{"delta": 2.0}],
    "CosineSimilarity": [{"axis": 0}],
    "BinaryCrossentropy": [{"from_logits": True, "label_smoothing": 0.1}],
    "CategoricalCrossentropy": [{"from_logits": True, "label_smoothing": 0.2, "axis": 1}],
    "SparseCategoricalCrossentropy": [{"from_logits": True, "ignore_class": 2}],
}
ALIASES = ["mean_absolute_error", "mae", "MAE", "mean_absolute_percentage_error", "mape",
           "MAPE", "mean_squared_logarithmic_error", "msle", "MSLE", "huber", "log_cosh",
           "hinge", "squared_hinge", "categorical_hinge", "kl_divergence", "kld", "KLD",
           "poisson", "cosine_similarity", "mean_squared_error", "mse", "MSE",
           "binary_crossentropy", "bce", "BCE", "categorical_crossentropy",
           "sparse_categorical_crossentropy"] + CLASSES
NOT_ALIASES = ["huber_loss", "HuberLoss", "cosine", "mean_absolute_errors"]


# ---- evaluate ---------------------------------------------------------------
def _eval_data(kind, rng):
    x = rng.randn(8, 4).astype(F)
    if kind == "reg":
        y = (rng.randn(8, 3) * 1.5).astype(F)
    elif kind == "pos":
        y = (np.abs(rng.randn(8, 3)) + 0.5).astype(F)
    elif kind == "labels01":
        y = rng.randint(0, 2, size=(8, 3)).astype(F)
    elif kind == "pm1":
        y = (2 * rng.randint(0, 2, size=(8, 3)) - 1).astype(F)
    elif kind == "onehot":
        y = np.eye(3, dtype=F)[rng.randint(0, 3, size=8)]
    elif kind == "prob":
        y = rng.dirichlet([1.0, 1.0, 1.0], size=8).astype(F)
        y[0] = [0.0, 0.4, 0.6]
    elif kind == "counts":
        y = rng.poisson(1.5, size=(8, 3)).astype(F)
    return x, y


# (case id, Dense activation, data kind, loss spec, metric specs, Keras metric strings)
# A spec is {"string": s}, {"function": name} or {"class": name, "kwargs": {...}}.
def _fn(name):
    return {"function": name}


def _obj(cls, **kw):
    return {"class": cls, "kwargs": dict(kw, name=f"{cls.lower()}_obj")}


def _metrics(fn, obj, string=None):
    """(metric specs, metric string): the function and the Loss object; the string that
    Keras resolves through keras.metrics is evaluated in a model of its own."""
    return [fn, obj], string


# Keras resolves these metric strings through keras.metrics (mae -> MeanAbsoluteError,
# cosine_similarity -> the positive CosineSimilarity metric, ...); 'huber' and
# 'log_cosh' are not metric names in Keras 3.
EVAL = [
    ("mae", "linear", "reg", {"string": "mae"},
     _metrics(_fn("mean_absolute_error"), _obj("MeanAbsoluteError"), "mae")),
    ("mape", "linear", "pos", {"string": "mape"},
     _metrics(_fn("mean_absolute_percentage_error"), _obj("MeanAbsolutePercentageError"),
              "MAPE")),
    ("msle", "linear", "pos", {"string": "msle"},
     _metrics(_fn("mean_squared_logarithmic_error"), _obj("MeanSquaredLogarithmicError"),
              "msle")),
    ("huber", "linear", "reg", {"class": "Huber", "kwargs": {"delta": 0.5}},
     _metrics(_fn("huber"), _obj("Huber", delta=2.0))),
    ("log_cosh", "linear", "reg", {"string": "log_cosh"},
     _metrics(_fn("log_cosh"), _obj("LogCosh"))),
    ("hinge", "tanh", "labels01", {"string": "hinge"},
     _metrics(_fn("hinge"), _obj("Hinge"), "hinge")),
    ("squared_hinge", "tanh", "pm1", {"string": "squared_hinge"},
     _metrics(_fn("squared_hinge"), _obj("SquaredHinge"), "squared_hinge")),
    ("categorical_hinge", "linear", "onehot", {"class": "CategoricalHinge", "kwargs": {}},
     _metrics(_fn("categorical_hinge"), _obj("CategoricalHinge"), "categorical_hinge")),
    ("kld", "softmax", "prob", {"string": "kld"},
     _metrics(_fn("kl_divergence"), _obj("KLDivergence"), "kl_divergence")),
    ("poisson", "softplus", "counts", {"string": "poisson"},
     _metrics(_fn("poisson"), _obj("Poisson"), "poisson")),
    ("cosine_similarity", "linear", "reg", {"class": "CosineSimilarity", "kwargs": {}},
     _metrics(_fn("cosine_similarity"), _obj("CosineSimilarity"), "cosine_similarity")),
]


def _build(keras, spec):
    if "string" in spec:
        return spec["string"]
    if "function" in spec:
        return getattr(keras.losses, spec["function"])
    return getattr(keras.losses, spec["class"])(**spec["kwargs"])


def _record_evaluate(keras, rec):
    for cid, act, kind, loss_spec, (metric_specs, string) in EVAL:
        weighted = _fn({"mae": "mean_absolute_error", "mape": "mean_absolute_percentage_error",
                        "msle": "mean_squared_logarithmic_error",
                        "kld": "kl_divergence"}.get(cid, cid))
        cid = f"eval_{cid}"
        rng = np.random.RandomState(zlib.crc32(cid.encode()))
        x, y = _eval_data(kind, rng)
        sw = np.array([1.0, 0.5, 2.0, 0.0, 1.0, 3.0, 0.25, 1.0], F)
        kernel = (rng.randn(4, 3) * 0.5).astype(F)
        bias = (rng.randn(3) * 0.1).astype(F)

        def make(metrics=metric_specs, weighted_metrics=(weighted,)):
            keras.utils.clear_session()
            model = keras.Sequential([keras.Input(shape=(4,)),
                                      keras.layers.Dense(3, activation=act)])
            model.set_weights([kernel, bias])
            model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1),
                          loss=_build(keras, loss_spec),
                          metrics=[_build(keras, m) for m in metrics],
                          weighted_metrics=[_build(keras, m) for m in weighted_metrics])
            return model

        model = make()
        results = {}
        for tag, kw in (("batch4", {"batch_size": 4}), ("batch3", {"batch_size": 3}),
                        ("batch4_sw", {"batch_size": 4, "sample_weight": sw})):
            logs = model.evaluate(x, y, verbose=0, return_dict=True, **kw)
            results[tag] = {k: float(v) for k, v in logs.items()}
        string_logs = None
        if string is not None:
            logs = make([{"string": string}], ()).evaluate(x, y, batch_size=4, verbose=0,
                                                          return_dict=True)
            string_logs = {k: float(v) for k, v in logs.items()}
        model = make()
        hist = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
        rec.case({"id": cid, "kind": "evaluate", "activation": act,
                  "loss": loss_spec, "metrics": metric_specs,
                  "weighted_metrics": [weighted],
                  "optimizer": {"class": "SGD", "kwargs": {"learning_rate": 0.1}},
                  "x": rec.arr(cid, "x", x), "y": rec.arr(cid, "y", y),
                  "sample_weight": rec.arr(cid, "sw", sw),
                  "kernel": rec.arr(cid, "kernel", kernel), "bias": rec.arr(cid, "bias", bias),
                  "evaluate": results,
                  "metric_string": string, "metric_string_evaluate": string_logs,
                  "history": {k: [float(v) for v in vs] for k, vs in hist.history.items()},
                  "weights_after_fit": [rec.arr(cid, f"w{i}", w)
                                        for i, w in enumerate(model.get_weights())]})


def generate(keras):
    rec = Recorder("losses3", keras_meta())
    for vid, fn, cls, fkw, ckw, yt, yp, sw in V:
        cid = f"fn_{vid}"
        val = getattr(keras.losses, fn)(yt, yp, **fkw)
        rec.case({"id": cid, "kind": "function", "name": fn, "kwargs": fkw,
                  "y_true": rec.arr(cid, "y_true", yt), "y_pred": rec.arr(cid, "y_pred", yp),
                  "sample_weight": None, "expected": rec.arr(cid, "expected", to_np(val))})
        for suffix, extra, use_sw in REDUCTIONS:
            cid = f"cls_{vid}{suffix}"
            kw = dict(ckw, **extra)
            obj = getattr(keras.losses, cls)(**kw)
            val = obj(yt, yp, sample_weight=sw) if use_sw else obj(yt, yp)
            rec.case({"id": cid, "kind": "class", "name": cls, "kwargs": kw,
                      "y_true": rec.arr(cid, "y_true", yt),
                      "y_pred": rec.arr(cid, "y_pred", yp),
                      "sample_weight": rec.arr(cid, "sample_weight", sw) if use_sw else None,
                      "expected": rec.arr(cid, "expected", to_np(val))})
    for cls in CLASSES:
        for i, kw in enumerate([{}, {"reduction": "sum", "name": "custom"}]
                               + CONFIG_KWARGS.get(cls, [])):
            obj = getattr(keras.losses, cls)(**kw)
            rec.case({"id": f"config_{cls}_{i}", "kind": "config", "name": cls,
                      "kwargs": kw, "config": obj.get_config(),
                      "loss_name": obj.name})
    for ident in ALIASES:
        obj = keras.losses.get(ident)
        is_instance = not callable(obj) or not hasattr(obj, "__name__")
        rec.case({"id": f"alias_{ident}", "kind": "alias", "identifier": ident,
                  "resolved": type(obj).__name__ if is_instance else obj.__name__,
                  "instance": is_instance})
    for ident in NOT_ALIASES:
        try:
            keras.losses.get(ident)
            err = None
        except Exception as e:  # noqa: BLE001
            err = type(e).__name__
        rec.case({"id": f"alias_{ident}", "kind": "alias", "identifier": ident,
                  "error": err})
    _record_evaluate(keras, rec)
    return rec.save()
