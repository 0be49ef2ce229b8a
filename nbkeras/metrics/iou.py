"""Intersection-over-union metrics: `IoU`, `MeanIoU`, `BinaryIoU`, `OneHotIoU`, `OneHotMeanIoU`.

Each accumulates a (num_classes, num_classes) confusion matrix (rows: labels, columns:
predictions) of integer counts, as Keras does, and returns the mean over the target
classes of TP / (TP + FP + FN), skipping classes that never occur.
"""

import numpy as np

from nbkeras import config
from nbkeras.metrics.metric import Metric, as_result
from nbkeras.metrics.utils import to_array


class _IoUBase(Metric):
    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        super().__init__(name=name, dtype=dtype or "int")
        self.num_classes, self.ignore_class = num_classes, ignore_class
        self.sparse_y_true, self.sparse_y_pred, self.axis = sparse_y_true, sparse_y_pred, axis
        self.total_cm = self.add_variable((num_classes, num_classes),
                                          name="total_confusion_matrix")

    def update_state(self, y_true, y_pred, sample_weight=None):
        t, p = to_array(y_true), to_array(y_pred)
        if not self.sparse_y_true:
            t = np.argmax(t, axis=self.axis)
        if not self.sparse_y_pred:
            p = np.argmax(p, axis=self.axis)
        t = t.astype(self.dtype).reshape(-1)
        p = p.astype(self.dtype).reshape(-1)
        w = np.ones(()) if sample_weight is None else to_array(sample_weight)
        w = np.broadcast_to(w.astype(self.dtype).reshape(-1) if w.ndim else w.astype(self.dtype),
                            t.shape)
        n = self.num_classes
        keep = (t >= 0) & (t < n) & (p >= 0) & (p < n)
        if self.ignore_class is not None:
            keep &= t != self.ignore_class
        cm = np.zeros((n, n), self.dtype)
        np.add.at(cm, (t[keep], p[keep]), w[keep])
        self.total_cm.assign_add(cm)

    def reset_state(self):
        self.total_cm.assign(np.zeros(self.total_cm.shape, self.total_cm.dtype))


class IoU(_IoUBase):
    """The mean IoU over `target_class_ids`: TP / (TP + FP + FN) per class.

    Args:
        num_classes: the number of classes.
        target_class_ids: the classes to average over.
        name: the metric name.
        dtype: the dtype of the confusion matrix ('int' by default).
        ignore_class: a label to leave out (e.g. a void class).
        sparse_y_true: labels are class ids (True) or one-hot (False).
        sparse_y_pred: predictions are class ids (True) or scores (False, argmax taken).
        axis: the class axis of dense labels or predictions.

    Example:
        >>> m = nbkeras.metrics.IoU(num_classes=2, target_class_ids=[0])
        >>> m([0, 0, 1, 1], [0, 1, 0, 1])  # about 1/3
        0.3333333134651184
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which "
                             f"is [0, {num_classes}). Received: target_class_ids="
                             f"{target_class_ids}")
        self.target_class_ids = list(target_class_ids)

    def result(self):
        cm = self.total_cm.numpy().astype(np.float64)
        tp = np.diag(cm)
        denom = (cm.sum(axis=0) + cm.sum(axis=1) - tp)[self.target_class_ids].astype(np.float32)
        tp = tp[self.target_class_ids].astype(np.float32)
        valid = denom > 1e-9
        eps = np.float32(config.epsilon())
        iou = np.where(valid, tp / (denom + eps), np.float32(0))
        return as_result(iou.sum() / (valid.sum(dtype=np.float32) + eps), "float32")

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class BinaryIoU(IoU):
    """IoU of binary labels, predictions thresholded at `threshold` (>= is class 1).

    Args:
        target_class_ids: which of the classes 0 and 1 to average over ((0, 1)).
        threshold: the decision threshold (0.5).
        name: the metric name.
        dtype: the dtype of the confusion matrix.

    Example:
        >>> m = nbkeras.metrics.BinaryIoU(target_class_ids=[1])
        >>> m([0, 1, 1], [0.2, 0.6, 0.4])  # about 0.5
        0.4999999403953552
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        p = to_array(y_pred, "float32") >= self.threshold
        super().update_state(to_array(y_true).astype(self.dtype), p.astype(self.dtype),
                             sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


class MeanIoU(IoU):
    """The IoU averaged over all `num_classes` classes.

    Args:
        num_classes: the number of classes.
        name: the metric name.
        dtype: the dtype of the confusion matrix.
        ignore_class: a label to leave out.
        sparse_y_true, sparse_y_pred: class ids (True) or one-hot / scores (False).
        axis: the class axis of dense inputs.

    Example:
        >>> nbkeras.metrics.MeanIoU(num_classes=2)([0, 0, 1, 1], [0, 1, 0, 1])
        0.3333333432674408
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, list(range(num_classes)), name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        cfg = super().get_config()
        del cfg["target_class_ids"]
        return cfg


class OneHotIoU(IoU):
    """IoU of one-hot labels and per-class scores (the argmax is the predicted class).

    Args:
        num_classes: the number of classes.
        target_class_ids: the classes to average over.
        name: the metric name.
        dtype: the dtype of the confusion matrix.
        ignore_class: a label to leave out.
        sparse_y_pred: predictions are class ids (True) or scores (False, the default).
        axis: the class axis.

    Example:
        >>> m = nbkeras.metrics.OneHotIoU(num_classes=3, target_class_ids=[0, 2])
        >>> m(np.eye(3)[[0, 2, 1]], np.array([[0.9, 0.1, 0], [0.2, 0.1, 0.7], [0.6, 0.3, 0.1]]))
        0.7499999403953552
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        cfg = super().get_config()
        del cfg["sparse_y_true"]
        return cfg


class OneHotMeanIoU(MeanIoU):
    """MeanIoU of one-hot labels and per-class scores.

    Args:
        num_classes: the number of classes.
        name: the metric name.
        dtype: the dtype of the confusion matrix.
        ignore_class: a label to leave out.
        sparse_y_pred: predictions are class ids (True) or scores (False, the default).
        axis: the class axis.

    Example:
        >>> nbkeras.metrics.OneHotMeanIoU(num_classes=2)(np.eye(2)[[0, 1]], np.eye(2)[[0, 0]])
        0.25
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        cfg = super().get_config()
        del cfg["sparse_y_true"]
        return cfg
