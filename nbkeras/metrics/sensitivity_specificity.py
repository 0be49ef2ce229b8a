"""Metrics at a fixed operating point: `SensitivityAtSpecificity`, `SpecificityAtSensitivity`,
`PrecisionAtRecall` and `RecallAtPrecision`.

Each accumulates TP/FP/TN/FN at `num_thresholds` evenly spaced thresholds in [0, 1] and
returns the best value of one rate among the thresholds where the other rate reaches
the target (0 when none does), as Keras does.
"""

import numpy as np

from nbkeras.metrics.confusion_utils import update_confusion_matrix
from nbkeras.metrics.metric import Metric, as_result
from nbkeras.metrics.utils import divide_no_nan


class SensitivitySpecificityBase(Metric):
    """Base class: the four confusion counts at `num_thresholds` thresholds.

    Args:
        value: the target of the constrained rate, in [0, 1].
        num_thresholds: the number of thresholds (200); 1 means the single threshold 0.5.
        class_id: look only at this class of the last axis.
        name: the metric name.
        dtype: the dtype of the result.
    """

    _arg = "value"

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        if value < 0 or value > 1:
            raise ValueError(f"Argument `{self._arg}` must be in the range [0, 1]. "
                             f"Received: {self._arg}={value}")
        if not isinstance(num_thresholds, int) or num_thresholds <= 0:
            raise ValueError("Argument `num_thresholds` must be an integer > 0. "
                             f"Received: num_thresholds={num_thresholds}")
        super().__init__(name=name, dtype=dtype)
        self.value, self.num_thresholds, self.class_id = value, num_thresholds, class_id
        setattr(self, self._arg, value)
        if num_thresholds == 1:
            self.thresholds, self._even = [0.5], False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds, self._even = [0.0] + inner + [1.0], True
        n = len(self.thresholds)
        self.true_positives = self.add_variable((n,), name="true_positives")
        self.false_positives = self.add_variable((n,), name="false_positives")
        self.true_negatives = self.add_variable((n,), name="true_negatives")
        self.false_negatives = self.add_variable((n,), name="false_negatives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        update_confusion_matrix({"tp": self.true_positives, "fp": self.false_positives,
                                 "tn": self.true_negatives, "fn": self.false_negatives},
                                y_true, y_pred, self.thresholds, class_id=self.class_id,
                                sample_weight=sample_weight,
                                thresholds_distributed_evenly=self._even)

    def _rates(self):
        tp, fp = self.true_positives.numpy(), self.false_positives.numpy()
        tn, fn = self.true_negatives.numpy(), self.false_negatives.numpy()
        return {"sensitivity": divide_no_nan(tp, tp + fn), "recall": divide_no_nan(tp, tp + fn),
                "specificity": divide_no_nan(tn, tn + fp), "precision": divide_no_nan(tp, tp + fp)}

    _constrained = _maximized = None

    def result(self):
        rates = self._rates()
        feasible = rates[self._constrained] >= self.value
        best = np.max(np.where(feasible, rates[self._maximized], 0.0), initial=0.0)
        return as_result(best, self.dtype)

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id,
                "num_thresholds": self.num_thresholds, self._arg: self.value}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class SensitivityAtSpecificity(SensitivitySpecificityBase):
    """The best sensitivity (recall) among thresholds whose specificity is >= `specificity`.

    Args:
        specificity: the target specificity, in [0, 1].
        num_thresholds: the number of thresholds (200).
        class_id: look only at this class of the last axis.
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> m = nbkeras.metrics.SensitivityAtSpecificity(0.5)
        >>> m([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
        0.5
    """

    _arg, _constrained, _maximized = "specificity", "specificity", "sensitivity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)


class SpecificityAtSensitivity(SensitivitySpecificityBase):
    """The best specificity among thresholds whose sensitivity is >= `sensitivity`.

    Args:
        sensitivity: the target sensitivity, in [0, 1].
        num_thresholds: the number of thresholds (200).
        class_id: look only at this class of the last axis.
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> m = nbkeras.metrics.SpecificityAtSensitivity(0.5)
        >>> m([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
        0.6666666865348816
    """

    _arg, _constrained, _maximized = "sensitivity", "sensitivity", "specificity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)


class PrecisionAtRecall(SensitivitySpecificityBase):
    """The best precision among thresholds whose recall is >= `recall`.

    Args:
        recall: the target recall, in [0, 1].
        num_thresholds: the number of thresholds (200).
        class_id: look only at this class of the last axis.
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> m = nbkeras.metrics.PrecisionAtRecall(0.5)
        >>> m([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
        0.5
    """

    _arg, _constrained, _maximized = "recall", "recall", "precision"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)


class RecallAtPrecision(SensitivitySpecificityBase):
    """The best recall among thresholds whose precision is >= `precision`.

    Args:
        precision: the target precision, in [0, 1].
        num_thresholds: the number of thresholds (200).
        class_id: look only at this class of the last axis.
        name: the metric name.
        dtype: the dtype of the result.

    Example:
        >>> m = nbkeras.metrics.RecallAtPrecision(0.8)
        >>> m([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        0.5
    """

    _arg, _constrained, _maximized = "precision", "precision", "recall"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)
