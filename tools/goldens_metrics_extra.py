"""Golden group 'metrics_extra': R2Score, F1Score/FBetaScore, the IoU family and the
metrics at a fixed operating point (dev-only; needs real Keras 3).

For each configuration: one update, two updates (state accumulation) and one weighted
update, with the result and `get_config()` (name left out).
"""

import numpy as np

from goldens_common import Recorder, jsonable, keras_meta, to_np

F = np.float32
_rng = np.random.RandomState(17)
REG_T = _rng.randn(10, 3).astype(F)
REG_P = (REG_T + 0.5 * _rng.randn(10, 3)).astype(F)
REG1_T, REG1_P = REG_T[:, :1], REG_P[:, :1]
ML_T = (_rng.rand(10, 4) > 0.5).astype(F)
ML_P = _rng.rand(10, 4).astype(F)
ML_P[3] = [0.0, 0.0, 0.0, 0.0]  # a row with no positive prediction at all
CAT_T = np.eye(4, dtype=F)[_rng.randint(0, 4, 10)]
BIN_T = (_rng.rand(40) > 0.4).astype(F)
BIN_P = np.clip(BIN_T * 0.3 + _rng.rand(40) * 0.7, 0, 1).astype(F)
BIN_P[:4] = [0.0, 1.0, 0.5, 0.25]
SEG_T = _rng.randint(0, 4, (3, 5, 5))
SEG_P = np.where(_rng.rand(3, 5, 5) < 0.7, SEG_T, _rng.randint(0, 4, (3, 5, 5)))
SEG_P[0, 0, :2] = [-1, 7]  # out-of-range predictions are dropped
SEG_SCORES = _rng.rand(3, 5, 5, 4).astype(F)
SW10 = _rng.uniform(0, 2, 10).astype(F)
SW40 = _rng.uniform(0, 2, 40).astype(F)
SW_SEG = _rng.randint(0, 3, (3, 5, 5)).astype(F)

DATA = {
    "reg": (REG_T, REG_P, SW10), "reg1": (REG1_T, REG1_P, SW10),
    "ml": (ML_T, ML_P, SW10), "cat": (CAT_T, ML_P, SW10),
    "bin": (BIN_T, BIN_P, SW40), "seg": (SEG_T, SEG_P, SW_SEG),
    "seg_scores": (SEG_T, SEG_SCORES, SW_SEG),
    "onehot_seg": (np.eye(4, dtype=F)[SEG_T], SEG_SCORES, SW_SEG),
    "bin_iou": (BIN_T, BIN_P, SW40),
}

CASES = [
    # (id, class, kwargs, data)
    ("r2", "R2Score", {}, "reg"),
    ("r2_raw", "R2Score", {"class_aggregation": None}, "reg"),
    ("r2_var", "R2Score", {"class_aggregation": "variance_weighted_average"}, "reg"),
    ("r2_adjusted", "R2Score", {"num_regressors": 2}, "reg"),
    ("r2_col", "R2Score", {}, "reg1"),
    ("f1_none", "F1Score", {}, "ml"),
    ("f1_thr", "F1Score", {"threshold": 0.5}, "ml"),
    ("f1_micro", "F1Score", {"average": "micro", "threshold": 0.4}, "ml"),
    ("f1_macro", "F1Score", {"average": "macro"}, "cat"),
    ("f1_weighted", "F1Score", {"average": "weighted", "threshold": 0.6}, "ml"),
    ("fbeta2", "FBetaScore", {"beta": 2.0, "threshold": 0.5}, "ml"),
    ("fbeta_half_macro", "FBetaScore", {"beta": 0.5, "average": "macro"}, "cat"),
    ("iou", "IoU", {"num_classes": 4, "target_class_ids": [0, 2]}, "seg"),
    ("iou_ignore", "IoU", {"num_classes": 4, "target_class_ids": [1, 2, 3], "ignore_class": 0},
     "seg"),
    ("iou_dense_pred", "IoU", {"num_classes": 4, "target_class_ids": [3],
                               "sparse_y_pred": False}, "seg_scores"),
    ("mean_iou", "MeanIoU", {"num_classes": 4}, "seg"),
    ("mean_iou_dense", "MeanIoU", {"num_classes": 4, "sparse_y_pred": False}, "seg_scores"),
    ("binary_iou", "BinaryIoU", {}, "bin_iou"),
    ("binary_iou_1", "BinaryIoU", {"target_class_ids": [1], "threshold": 0.3}, "bin_iou"),
    ("onehot_iou", "OneHotIoU", {"num_classes": 4, "target_class_ids": [0, 1, 3]}, "onehot_seg"),
    ("onehot_mean_iou", "OneHotMeanIoU", {"num_classes": 4}, "onehot_seg"),
    ("sens_at_spec", "SensitivityAtSpecificity", {"specificity": 0.6}, "bin"),
    ("sens_at_spec_t7", "SensitivityAtSpecificity", {"specificity": 0.8, "num_thresholds": 7},
     "bin"),
    ("spec_at_sens", "SpecificityAtSensitivity", {"sensitivity": 0.7}, "bin"),
    ("spec_at_sens_t1", "SpecificityAtSensitivity", {"sensitivity": 0.5, "num_thresholds": 1},
     "bin"),
    ("prec_at_rec", "PrecisionAtRecall", {"recall": 0.8}, "bin"),
    ("prec_at_rec_class", "PrecisionAtRecall", {"recall": 0.5, "class_id": 2}, "ml"),
    ("rec_at_prec", "RecallAtPrecision", {"precision": 0.75}, "bin"),
    ("rec_at_prec_high", "RecallAtPrecision", {"precision": 1.0, "num_thresholds": 50}, "bin"),
]


def generate(keras):
    rec = Recorder("metrics_extra", keras_meta())
    keys = {}
    for name, (t, p, w) in DATA.items():
        keys[name] = (rec.arr(name, "y_true", t), rec.arr(name, "y_pred", p),
                      rec.arr(name, "sample_weight", w))
    for cid, cls, kwargs, data in CASES:
        t, p, w = DATA[data]
        half = len(t) // 2
        results = {}
        m = getattr(keras.metrics, cls)(**kwargs)
        m.update_state(t, p)
        results["single"] = to_np(m.result())
        m = getattr(keras.metrics, cls)(**kwargs)
        m.update_state(t[:half], p[:half])
        m.update_state(t[half:], p[half:])
        results["two_updates"] = to_np(m.result())
        m = getattr(keras.metrics, cls)(**kwargs)
        m.update_state(t, p, sample_weight=w)
        results["weighted"] = to_np(m.result())
        cfg = {k: v for k, v in m.get_config().items() if k != "name"}
        rec.case({"id": cid, "metric": cls, "kwargs": kwargs, "data": data,
                  "arrays": keys[data],
                  "results": {k: rec.arr(cid, k, v) for k, v in results.items()},
                  "config": jsonable(cfg)})
    return rec.save()
