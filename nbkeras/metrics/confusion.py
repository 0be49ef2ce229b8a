"""Thresholded confusion-matrix metrics: TP/FP/TN/FN counts, Precision and Recall."""

from nbkeras.metrics.confusion_utils import (
    NEG_INF,
    is_evenly_distributed,
    parse_thresholds,
    update_confusion_matrix,
)
from nbkeras.metrics.metric import Metric, as_result
from nbkeras.metrics.utils import divide_no_nan


class _ConditionCount(Metric):
    """The weighted count of one confusion-matrix condition at each threshold.

    Args:
        condition: 'tp', 'fp', 'tn' or 'fn'.
        thresholds: a float or a list of floats in [0, 1] (0.5 by default);
            a prediction is positive when it is above the threshold.
        name: the metric name.
        dtype: the dtype of the result.
    """

    _condition = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = parse_thresholds(thresholds, default_threshold=0.5)
        self._thresholds_distributed_evenly = is_evenly_distributed(self.thresholds)
        self.accumulator = self.add_variable((len(self.thresholds),), name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_matrix({self._condition: self.accumulator}, y_true, y_pred,
                                self.thresholds, sample_weight=sample_weight,
                                thresholds_distributed_evenly=self._thresholds_distributed_evenly)

    def result(self):
        value = self.accumulator.data
        return as_result(value[0] if len(self.thresholds) == 1 else value, self.dtype)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConditionCount):
    """The (weighted) number of true positives: label 1, prediction above the threshold.

    Args:
        thresholds: a float or a list of floats in [0, 1] (0.5); one count per threshold.
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> nbkeras.metrics.TruePositives()([0, 1, 1, 1], [1, 0, 1, 1])
        2.0
    """

    _condition = "tp"


class FalsePositives(_ConditionCount):
    """The (weighted) number of false positives: label 0, prediction above the threshold.

    Args:
        thresholds: a float or a list of floats in [0, 1] (0.5); one count per threshold.
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> nbkeras.metrics.FalsePositives()([0, 1, 0, 0], [0, 0, 1, 1])
        2.0
    """

    _condition = "fp"


class TrueNegatives(_ConditionCount):
    """The (weighted) number of true negatives: label 0, prediction at or below the threshold.

    Args:
        thresholds: a float or a list of floats in [0, 1] (0.5); one count per threshold.
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> nbkeras.metrics.TrueNegatives()([0, 1, 0, 0], [1, 1, 0, 0])
        2.0
    """

    _condition = "tn"


class FalseNegatives(_ConditionCount):
    """The (weighted) number of false negatives: label 1, prediction at or below the threshold.

    Args:
        thresholds: a float or a list of floats in [0, 1] (0.5); one count per threshold.
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> nbkeras.metrics.FalseNegatives()([0, 1, 1, 1], [0, 1, 0, 0])
        2.0
    """

    _condition = "fn"


class _RatioMetric(Metric):
    """tp / (tp + other) at each threshold, with top_k and class_id filters."""

    _other = None

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else NEG_INF
        self.thresholds = parse_thresholds(thresholds, default_threshold=default)
        self._thresholds_distributed_evenly = is_evenly_distributed(self.thresholds)
        n = len(self.thresholds)
        self.true_positives = self.add_variable((n,), name="true_positives")
        other = "false_positives" if self._other == "fp" else "false_negatives"
        setattr(self, other, self.add_variable((n,), name=other))
        self._other_var = getattr(self, other)

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_matrix({"tp": self.true_positives, self._other: self._other_var},
                                y_true, y_pred, self.thresholds, top_k=self.top_k,
                                class_id=self.class_id, sample_weight=sample_weight,
                                thresholds_distributed_evenly=self._thresholds_distributed_evenly)

    def result(self):
        tp = self.true_positives.data
        value = divide_no_nan(tp, tp + self._other_var.data)
        return as_result(value[0] if len(self.thresholds) == 1 else value, self.dtype)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_RatioMetric):
    """The precision tp / (tp + fp) of thresholded predictions.

    Args:
        thresholds: a float or a list of floats in [0, 1]; one value per
            threshold (0.5 when neither this nor `top_k` is set).
        top_k: only the k highest predictions of each row can be positive.
        class_id: compute the binary precision of this class only.
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> nbkeras.metrics.Precision()([0, 1, 1, 1], [1, 0, 1, 1])
        0.6666667
    """

    _other = "fp"


class Recall(_RatioMetric):
    """The recall tp / (tp + fn) of thresholded predictions.

    Args:
        thresholds: a float or a list of floats in [0, 1]; one value per
            threshold (0.5 when neither this nor `top_k` is set).
        top_k: only the k highest predictions of each row can be positive.
        class_id: compute the binary recall of this class only.
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> nbkeras.metrics.Recall()([0, 1, 1, 1], [1, 0, 1, 1])
        0.6666667
    """

    _other = "fn"
