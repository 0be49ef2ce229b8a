"""`FBetaScore` and `F1Score`: the F-beta score of multi-label or one-hot predictions."""

import numpy as np

from nbkeras import config
from nbkeras.metrics.metric import Metric, as_result
from nbkeras.metrics.utils import to_array


class FBetaScore(Metric):
    """F-beta = (1 + beta^2) * precision * recall / (beta^2 * precision + recall), per class.

    A prediction counts as positive when it is above `threshold`, or (threshold None)
    when it is its row's largest (and not ~0).

    Args:
        average: None (one score per class), 'micro' (pooled counts), 'macro' (mean of
            the class scores) or 'weighted' (mean weighted by each class's support).
        beta: the weight of recall, a positive float.
        threshold: a float in (0, 1], or None (the row's top prediction).
        name: the metric name.
        dtype: the dtype of the state and result.

    Example:
        >>> m = nbkeras.metrics.FBetaScore(beta=2.0, threshold=0.5)
        >>> m(np.array([[1, 0], [0, 1]]), np.array([[0.9, 0.6], [0.2, 0.7]]))
        array([1.        , 0.8333332], dtype=float32)  # about
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: {None, "
                             f"'micro', 'macro', 'weighted'}}. Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError("Invalid `beta` argument value. It should be a Python float. "
                             f"Received: beta={beta} of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError("Invalid `threshold` argument value. It should be a Python "
                                 f"float. Received: threshold={threshold} of type "
                                 f"'{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError("Invalid `threshold` argument value. It should verify "
                                 f"0 < threshold <= 1. Received: threshold={threshold}")
        self.average, self.beta, self.threshold = average, beta, threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, true_shape, pred_shape):
        if len(pred_shape) != 2 or len(true_shape) != 2:
            raise ValueError(f"{type(self).__name__} expects 2D inputs with shape (batch_size, "
                             f"output_dim). Received input shapes: y_pred.shape={pred_shape} "
                             f"and y_true.shape={true_shape}.")
        shape = () if self.average == "micro" else (pred_shape[-1],)
        self.true_positives = self.add_variable(shape, name="true_positives")
        self.false_positives = self.add_variable(shape, name="false_positives")
        self.false_negatives = self.add_variable(shape, name="false_negatives")
        self.intermediate_weights = self.add_variable(shape, name="intermediate_weights")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        t = to_array(y_true, self.dtype)
        p = to_array(y_pred, self.dtype)
        if not self._built:
            self._build(t.shape, p.shape)
        if self.threshold is None:
            p = (p >= p.max(axis=-1, keepdims=True)) & (np.abs(p) > 1e-9)
        else:
            p = p > self.threshold
        p = p.astype(self.dtype)
        w = None if sample_weight is None else to_array(sample_weight, self.dtype)[:, None]

        def total(v):
            return (v if w is None else v * w).sum(axis=self.axis)

        self.true_positives.assign_add(total(p * t).astype(self.dtype))
        self.false_positives.assign_add(total(p * (1 - t)).astype(self.dtype))
        self.false_negatives.assign_add(total((1 - p) * t).astype(self.dtype))
        self.intermediate_weights.assign_add(total(t).astype(self.dtype))

    def result(self):
        if not self._built:
            return as_result(0.0, self.dtype)
        eps = config.epsilon()
        tp, fp = self.true_positives.numpy(), self.false_positives.numpy()
        fn, support = self.false_negatives.numpy(), self.intermediate_weights.numpy()
        precision = tp / (tp + fp + eps)
        recall = tp / (tp + fn + eps)
        b2 = self.beta ** 2
        score = precision * recall / (b2 * precision + recall + eps) * (1 + b2)
        if self.average == "weighted":
            score = np.sum(score * support / (support.sum() + eps))
        elif self.average is not None:
            score = np.mean(score)
        return as_result(score, self.dtype)

    def reset_state(self):
        for v in self.variables:
            v.assign(np.zeros(v.shape, v.dtype))

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "average": self.average,
                "beta": self.beta, "threshold": self.threshold}


class F1Score(FBetaScore):
    """The F1 score: the harmonic mean of precision and recall (FBetaScore with beta=1).

    Args:
        average: None, 'micro', 'macro' or 'weighted' (see `FBetaScore`).
        threshold: a float in (0, 1], or None (the row's top prediction).
        name: the metric name.
        dtype: the dtype of the state and result.

    Example:
        >>> m = nbkeras.metrics.F1Score(average="macro", threshold=0.5)
        >>> round(m(np.array([[1, 0], [0, 1]]), np.array([[0.9, 0.6], [0.2, 0.7]])), 4)
        0.8333
    """

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        cfg = super().get_config()
        del cfg["beta"]
        return cfg
