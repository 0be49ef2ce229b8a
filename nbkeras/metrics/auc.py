"""`AUC`: the area under the ROC or precision-recall curve, by a Riemann sum over thresholds."""

import numpy as np

from nbkeras import config
from nbkeras.metrics.confusion_utils import is_evenly_distributed, update_confusion_matrix
from nbkeras.metrics.metric import Metric, as_result
from nbkeras.metrics.utils import divide_no_nan, to_array

CURVES = {"roc": "ROC", "ROC": "ROC", "pr": "PR", "PR": "PR", "prgain": "PRGAIN",
          "PRGAIN": "PRGAIN"}
SUMMATIONS = {"interpolation": "interpolation", "Interpolation": "interpolation",
              "majoring": "majoring", "Majoring": "majoring",
              "minoring": "minoring", "Minoring": "minoring"}


def _choice(value, table, what, expected):
    try:
        return table[value]
    except (KeyError, TypeError):
        raise ValueError(f"Invalid AUC {what} value. Expected values are {expected}. "
                         f"Received: {what}={value!r}") from None


class AUC(Metric):
    """The area under the ROC (or PR) curve, approximated over `num_thresholds` thresholds.

    Predictions are bucketed by threshold into true/false positive/negative
    counts; `result()` sums the curve's rectangles (or, for PR with
    'interpolation', integrates the precision in closed form).

    Args:
        num_thresholds: the number of thresholds (> 1), evenly spaced in [0, 1].
        curve: `'ROC'` or `'PR'` (or `'PRGAIN'`).
        summation_method: `'interpolation'`, `'minoring'` or `'majoring'`.
        name: the metric name.
        dtype: the dtype of the result.
        thresholds: explicit thresholds in [0, 1]; overrides `num_thresholds`.
        multi_label: compute one AUC per label (last axis) and average them.
        num_labels: the number of labels, with `multi_label` (else taken from the
            first batch).
        label_weights: per-label weights (of the averaged AUCs with `multi_label`,
            else of the flattened predictions).
        from_logits: apply a sigmoid to predictions first.

    Example:
        >>> m = nbkeras.metrics.AUC(num_thresholds=3)
        >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        >>> m.result()
        0.75
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
            self._thresholds_distributed_evenly = is_evenly_distributed(
                np.array([0.0] + thresholds + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError("Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        eps = config.epsilon()
        self._thresholds = np.array([0.0 - eps] + list(thresholds) + [1.0 + eps])
        self.curve = _choice(curve, CURVES, "curve", '["PR", "ROC", "PRGAIN"]')
        self.summation_method = _choice(summation_method, SUMMATIONS, "summation_method",
                                        '["interpolation", "majoring", "minoring"]')
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = (None if label_weights is None
                              else to_array(label_weights, self.dtype).copy())
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build([None, num_labels])
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True. "
                                 f"Received: num_labels={num_labels}")
            self._build(None)

    @property
    def thresholds(self):
        """The thresholds, including the end points -epsilon and 1 + epsilon."""
        return list(self._thresholds)

    def _build(self, shape):
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError("`y_pred` must have rank 2 when `multi_label=True`. "
                                 f"Found rank {len(shape)}. Received: y_pred.shape={tuple(shape)}")
            self._num_labels = shape[1]
            var_shape = (self.num_thresholds, self._num_labels)
        else:
            var_shape = (self.num_thresholds,)
        self._build_input_shape = shape
        self.true_positives = self.add_variable(var_shape, name="true_positives")
        self.false_positives = self.add_variable(var_shape, name="false_positives")
        self.true_negatives = self.add_variable(var_shape, name="true_negatives")
        self.false_negatives = self.add_variable(var_shape, name="false_negatives")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = to_array(y_pred, self.dtype)
        if not self._built:
            self._build(y_pred.shape)
        if self._from_logits:
            with np.errstate(over="ignore"):
                y_pred = (1.0 / (1.0 + np.exp(-y_pred))).astype(self.dtype)
        update_confusion_matrix(
            {"tp": self.true_positives, "tn": self.true_negatives,
             "fp": self.false_positives, "fn": self.false_negatives},
            y_true, y_pred, self._thresholds, sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly)

    def _average(self, by_label):
        if self.label_weights is None:
            return np.mean(by_label, dtype=by_label.dtype)
        lw = self.label_weights
        return divide_no_nan(np.sum(by_label * lw), np.sum(lw))

    def _interpolate_pr_auc(self, tp, fp, fn):
        """The PR-AUC with precision integrated in closed form between thresholds
        (Davis & Goadrich 2006), as Keras computes it."""
        dt = tp.dtype.type
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = divide_no_nan(dtp, np.maximum(dp, dt(0)))
        intercept = tp[1:] - slope * p[1:]
        both = np.logical_and(p[:-1] > 0, p[1:] > 0)
        ratio = np.where(both, divide_no_nan(p[:-1], np.maximum(p[1:], dt(0))), dt(1))
        with np.errstate(divide="ignore", invalid="ignore"):
            log_ratio = np.log(ratio).astype(tp.dtype)
        increment = divide_no_nan(slope * (dtp + intercept * log_ratio),
                                  np.maximum(tp[1:] + fn[1:], dt(0)))
        if self.multi_label:
            return self._average(np.sum(increment, axis=0, dtype=tp.dtype))
        return np.sum(increment, dtype=tp.dtype)

    def _curve_xy(self, tp, fp, tn, fn):
        dt = tp.dtype.type
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            return divide_no_nan(fp, fp + tn), recall
        if self.curve == "PR":
            return recall, divide_no_nan(tp, tp + fp)
        scale = divide_no_nan(tp + fn, tn + fp)
        recall_gain = dt(1) - scale * divide_no_nan(fn, tp)
        precision_gain = dt(1) - scale * divide_no_nan(fp, tp)
        recall_gain = np.where(tp == 0, dt(0), recall_gain)
        precision_gain = np.where(tp == 0, dt(1), precision_gain)
        return np.maximum(recall_gain, dt(0)), precision_gain

    def result(self):
        tp, fp = self.true_positives.data, self.false_positives.data
        tn, fn = self.true_negatives.data, self.false_negatives.data
        if self.curve == "PR" and self.summation_method == "interpolation":
            return as_result(self._interpolate_pr_auc(tp, fp, fn), self.dtype)
        x, y = self._curve_xy(tp, fp, tn, fn)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / tp.dtype.type(2)
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        terms = (x[:-1] - x[1:]) * heights
        if self.multi_label:
            return as_result(self._average(np.sum(terms, axis=0, dtype=tp.dtype)), self.dtype)
        return as_result(np.sum(terms, dtype=tp.dtype), self.dtype)

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        config = {
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": self.label_weights,
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return {**super().get_config(), **config}
