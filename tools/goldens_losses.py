"""Group b) loss values: function form (per sample) and class form (reduced)."""

import numpy as np

from goldens_common import Recorder, keras_meta, to_np

F = np.float32

# Probabilities with exact 0 and 1 (both "right" and "wrong" extremes) so
# the epsilon clipping of the probability-space losses is exercised.
BIN_TRUE = np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0, 1, 0]], F)
BIN_PROB = np.array([[0.9, 0.2, 1.0], [0.0, 0.3, 0.6],
                     [0.7, 0.0, 1.0], [0.1, 1.0, 0.4]], F)
BIN_LOGIT = np.array([[2.0, -1.5, 40.0], [-40.0, 0.3, 0.0],
                      [1.2, -3.0, 7.5], [-0.2, 12.0, -0.7]], F)
BIN_TRUE_COL = np.array([[1], [0], [1], [1], [0]], F)
BIN_PROB_COL = np.array([[0.8], [0.35], [0.0], [1.0], [0.5]], F)

CAT_TRUE = np.array([[1, 0, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]], F)
# row 1: the true class has probability 0 (clipped); row 3 sums to 1.2
# (Keras renormalises probabilities before the log).
CAT_PROB = np.array([[0.7, 0.2, 0.1], [0.0, 1.0, 0.0],
                     [0.0, 0.0, 1.0], [0.2, 0.5, 0.5]], F)
CAT_LOGIT = np.array([[2.0, 1.0, 0.1], [50.0, -50.0, 0.0],
                      [-1.0, 0.5, 3.0], [0.3, 0.3, -2.0]], F)
SPARSE_TRUE = np.array([0, 0, 2, 1], np.int64)

REG_TRUE = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.3],
                     [3.0, 2.5, 1.0], [-2.0, 0.7, 0.2]], F)
REG_PRED = np.array([[0.4, -0.5, 2.5], [1.0, 0.1, 0.0],
                     [2.0, 2.5, -1.0], [-1.5, 1.7, 0.25]], F)

SAMPLE_WEIGHT = np.array([1.0, 0.5, 2.0, 0.0], F)
SAMPLE_WEIGHT_5 = np.array([1.0, 0.5, 2.0, 0.0, 3.0], F)

# (family id, function name, class name, kwargs, y_true, y_pred)
VARIANTS = []
for fl in (False, True):
    for ls in (0.0, 0.1):
        tag = f"{'logits' if fl else 'probs'}_ls{ls}"
        VARIANTS.append((f"bce_{tag}", "binary_crossentropy",
                         "BinaryCrossentropy",
                         {"from_logits": fl, "label_smoothing": ls},
                         BIN_TRUE, BIN_LOGIT if fl else BIN_PROB))
        VARIANTS.append((f"cce_{tag}", "categorical_crossentropy",
                         "CategoricalCrossentropy",
                         {"from_logits": fl, "label_smoothing": ls},
                         CAT_TRUE, CAT_LOGIT if fl else CAT_PROB))
    tag = "logits" if fl else "probs"
    VARIANTS.append((f"scce_{tag}", "sparse_categorical_crossentropy",
                     "SparseCategoricalCrossentropy", {"from_logits": fl},
                     SPARSE_TRUE, CAT_LOGIT if fl else CAT_PROB))
    VARIANTS.append((f"scce_{tag}_col_labels", "sparse_categorical_crossentropy",
                     "SparseCategoricalCrossentropy", {"from_logits": fl},
                     SPARSE_TRUE.reshape(-1, 1), CAT_LOGIT if fl else CAT_PROB))
VARIANTS.append(("bce_probs_column", "binary_crossentropy",
                 "BinaryCrossentropy", {}, BIN_TRUE_COL, BIN_PROB_COL))
VARIANTS.append(("mse", "mean_squared_error", "MeanSquaredError", {},
                 REG_TRUE, REG_PRED))


def generate(keras):
    rec = Recorder("losses", keras_meta())
    for vid, fn_name, cls_name, kw, yt, yp in VARIANTS:
        n = yt.shape[0]
        sw = SAMPLE_WEIGHT if n == 4 else SAMPLE_WEIGHT_5
        # function form: per-sample values
        cid = f"fn_{vid}"
        val = getattr(keras.losses, fn_name)(yt, yp, **kw)
        rec.case({"id": cid, "kind": "function", "name": fn_name,
                  "kwargs": kw,
                  "y_true": rec.arr(cid, "y_true", yt),
                  "y_pred": rec.arr(cid, "y_pred", yp),
                  "sample_weight": None,
                  "expected": rec.arr(cid, "expected", to_np(val))})
        # class form: default reduction, with/without sample_weight,
        # reduction='sum' and reduction='none'
        for suffix, extra, use_sw in (
            ("", {}, False),
            ("_sw", {}, True),
            ("_sum", {"reduction": "sum"}, False),
            ("_sum_sw", {"reduction": "sum"}, True),
            ("_none", {"reduction": "none"}, False),
            ("_none_sw", {"reduction": "none"}, True),
        ):
            cid = f"cls_{vid}{suffix}"
            ckw = dict(kw, **extra)
            obj = getattr(keras.losses, cls_name)(**ckw)
            if use_sw:
                val = obj(yt, yp, sample_weight=sw)
            else:
                val = obj(yt, yp)
            rec.case({"id": cid, "kind": "class", "name": cls_name,
                      "kwargs": ckw,
                      "y_true": rec.arr(cid, "y_true", yt),
                      "y_pred": rec.arr(cid, "y_pred", yp),
                      "sample_weight": (rec.arr(cid, "sample_weight", sw)
                                        if use_sw else None),
                      "expected": rec.arr(cid, "expected", to_np(val))})
    return rec.save()
