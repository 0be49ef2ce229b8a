"""Group c) accuracy metrics and what compile(metrics=['accuracy']) resolves to."""

import numpy as np

from goldens_common import Recorder, keras_meta, to_np

F = np.float32

BIN_TRUE = np.array([[1], [0], [1], [1], [0], [0]], F)
BIN_PRED = np.array([[0.6], [0.4], [0.5], [0.3], [0.7], [0.5]], F)
ML_TRUE = np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0, 1, 0]], F)
ML_PRED = np.array([[0.9, 0.2, 0.5], [0.1, 0.7, 0.6],
                    [0.51, 0.49, 0.0], [0.2, 1.0, 0.8]], F)
CAT_TRUE = np.eye(4, dtype=F)[[0, 1, 3, 2, 1]]
CAT_PRED = np.array([[0.7, 0.1, 0.1, 0.1], [0.2, 0.3, 0.4, 0.1],
                     [0.05, 0.05, 0.1, 0.8], [0.3, 0.2, 0.1, 0.4],
                     [0.1, 0.6, 0.2, 0.1]], F)
SPARSE_TRUE = np.array([0, 1, 3, 2, 1], np.int64)
SW = np.array([1.0, 2.0, 0.5, 0.0, 1.5], F)


def _fn_cases(keras, rec):
    fn_cases = [
        ("binary_accuracy_default", "binary_accuracy", {}, BIN_TRUE, BIN_PRED),
        ("binary_accuracy_t0.7", "binary_accuracy", {"threshold": 0.7},
         BIN_TRUE, BIN_PRED),
        ("binary_accuracy_t0.35", "binary_accuracy", {"threshold": 0.35},
         BIN_TRUE, BIN_PRED),
        ("binary_accuracy_multilabel", "binary_accuracy", {}, ML_TRUE, ML_PRED),
        ("categorical_accuracy", "categorical_accuracy", {}, CAT_TRUE, CAT_PRED),
        ("sparse_categorical_accuracy", "sparse_categorical_accuracy", {},
         SPARSE_TRUE, CAT_PRED),
        ("sparse_categorical_accuracy_col", "sparse_categorical_accuracy", {},
         SPARSE_TRUE.reshape(-1, 1), CAT_PRED),
    ]
    for cid, name, kw, yt, yp in fn_cases:
        cid = "fn_" + cid
        val = getattr(keras.metrics, name)(yt, yp, **kw)
        rec.case({"id": cid, "kind": "function", "name": name, "kwargs": kw,
                  "y_true": rec.arr(cid, "y_true", yt),
                  "y_pred": rec.arr(cid, "y_pred", yp),
                  "expected": rec.arr(cid, "expected", to_np(val))})

    cls_cases = [
        ("BinaryAccuracy", {}, BIN_TRUE, BIN_PRED),
        ("BinaryAccuracy", {"threshold": 0.7}, BIN_TRUE, BIN_PRED),
        ("BinaryAccuracy", {}, ML_TRUE, ML_PRED),
        ("CategoricalAccuracy", {}, CAT_TRUE, CAT_PRED),
        ("SparseCategoricalAccuracy", {}, SPARSE_TRUE, CAT_PRED),
        ("SparseCategoricalAccuracy", {}, SPARSE_TRUE.reshape(-1, 1), CAT_PRED),
    ]
    for i, (name, kw, yt, yp) in enumerate(cls_cases):
        for mode in ("single", "two_updates", "sample_weight"):
            if mode == "sample_weight" and yt.shape[0] != SW.shape[0]:
                continue
            cid = f"cls_{name}_{i}_{mode}"
            m = getattr(keras.metrics, name)(**kw)
            if mode == "single":
                m.update_state(yt, yp)
            elif mode == "two_updates":  # accumulation across batches
                m.update_state(yt[:3], yp[:3])
                m.update_state(yt[3:], yp[3:])
            else:
                m.update_state(yt, yp, sample_weight=SW)
            rec.case({"id": cid, "kind": "class", "name": name, "kwargs": kw,
                      "mode": mode,
                      "y_true": rec.arr(cid, "y_true", yt),
                      "y_pred": rec.arr(cid, "y_pred", yp),
                      "sample_weight": (rec.arr(cid, "sw", SW)
                                        if mode == "sample_weight" else None),
                      "expected": rec.arr(cid, "expected", to_np(m.result()))})


ACC_CLASSES = ("BinaryAccuracy", "CategoricalAccuracy",
               "SparseCategoricalAccuracy")


def _resolution_cases(keras, rec):
    """compile(metrics=['accuracy']) -> which class, and evaluate() values."""
    rng = np.random.RandomState(7)
    x = rng.randn(8, 4).astype(F)
    y_bin = np.array([1, 0, 1, 1, 0, 1, 1, 0], F)
    y_cls = np.array([0, 1, 2, 2, 1, 0, 1, 2], np.int64)
    y_multi = (rng.rand(8, 3) > 0.5).astype(F)
    cases = [
        # id, units, activation, loss, y, metric spelling
        ("binary_col", 1, "sigmoid", "binary_crossentropy",
         y_bin.reshape(-1, 1), "accuracy"),
        ("binary_flat_y", 1, "sigmoid", "binary_crossentropy", y_bin, "accuracy"),
        ("categorical_onehot", 3, "softmax", "categorical_crossentropy",
         np.eye(3, dtype=F)[y_cls], "accuracy"),
        ("sparse_flat_y", 3, "softmax", "sparse_categorical_crossentropy",
         y_cls, "accuracy"),
        ("sparse_col_y", 3, "softmax", "sparse_categorical_crossentropy",
         y_cls.reshape(-1, 1), "accuracy"),
        # Keras 3 decides from shapes only: multi-label sigmoid output with
        # binary_crossentropy still resolves to CategoricalAccuracy.
        ("multilabel_bce", 3, "sigmoid", "binary_crossentropy", y_multi,
         "accuracy"),
        ("acc_alias_binary", 1, "sigmoid", "binary_crossentropy",
         y_bin.reshape(-1, 1), "acc"),
    ]
    for cid, units, act, loss, y, spelling in cases:
        cid = "resolve_" + cid
        w = [(rng.randn(4, units) * 0.8).astype(F),
             (rng.randn(units) * 0.1).astype(F)]
        model = keras.Sequential([
            keras.Input(shape=(4,)), keras.layers.Dense(units, activation=act)])
        model.set_weights(w)
        model.compile(optimizer="sgd", loss=loss, metrics=[spelling])
        ev_list = model.evaluate(x, y, verbose=0)
        ev_dict = model.evaluate(x, y, verbose=0, return_dict=True)
        resolved = [type(m).__name__ for m in model._compile_metrics.metrics]
        assert len(resolved) == 1 and resolved[0] in ACC_CLASSES, resolved
        pred = model.predict(x, verbose=0)
        # Make sure the data discriminates between the candidate classes.
        alt = {}
        for name in ACC_CLASSES:
            try:
                m = getattr(keras.metrics, name)()
                m.update_state(y, pred)
                alt[name] = float(m.result())
            except Exception:  # shape-incompatible candidate
                alt[name] = None
        for name, v in alt.items():
            if name != resolved[0] and v is not None:
                assert abs(v - alt[resolved[0]]) > 1e-3, (cid, alt)
        rec.case({
            "id": cid,
            "layers": [{"class": "Input", "kwargs": {"shape": [4]}},
                       {"class": "Dense",
                        "kwargs": {"units": units, "activation": act}}],
            "weights": rec.arrs(cid, "w", w),
            "compile": {"optimizer": "sgd", "loss": loss, "metrics": [spelling]},
            "x": rec.arr(cid, "x", x),
            "y": rec.arr(cid, "y", y),
            "resolved_class": resolved[0],
            "alternative_values": alt,
            "evaluate_list": rec.arr(cid, "evaluate_list", np.array(ev_list)),
            "evaluate_dict_keys": list(ev_dict.keys()),
            "evaluate_dict_values": rec.arr(
                cid, "evaluate_dict_values", np.array(list(ev_dict.values()))),
        })


def generate(keras):
    rec = Recorder("metrics", keras_meta())
    _fn_cases(keras, rec)
    _resolution_cases(keras, rec)
    return rec.save()
