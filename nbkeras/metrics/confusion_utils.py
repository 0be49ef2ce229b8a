"""Confusion-matrix accumulation at a list of thresholds, with Keras 3's exact rules.

A prediction counts as positive at threshold `t` when `y_pred > t`; a label is
positive when it is non-zero.  Two paths, chosen as Keras chooses them:

* evenly spaced thresholds (`0, 1/(T-1), ..., 1`, possibly with the end points
  pushed out by epsilon, as AUC does): predictions are clipped to [0, 1] and
  put into bucket `ceil(p * (T - 1)) - 1` (0 at the least when the end points
  carry epsilon; dropped when below 0), and the counts at each threshold are the
  reversed cumulative sums of the bucket weights;
* any other thresholds: a direct comparison `p > t` (for many predictions and
  thresholds, by sorting the predictions once and searching each threshold).
"""

import numpy as np

from nbkeras import config
from nbkeras.backend import kernels as K
from nbkeras.metrics.utils import same_rank, to_array, to_list

NEG_INF = -1e10
KEYS = ("tp", "fp", "tn", "fn")


def parse_thresholds(thresholds, default_threshold=0.5):
    """The thresholds as a list, checked to lie in [0, 1] (the default when None)."""
    if thresholds is not None:
        bad = [t for t in to_list(thresholds) if t is None or t < 0 or t > 1]
        if bad:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: thresholds={bad}")
    return to_list(default_threshold if thresholds is None else thresholds)


def is_evenly_distributed(thresholds):
    """Whether the thresholds are `0, 1/(n-1), ..., 1` (n >= 3) up to epsilon."""
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=config.epsilon()))


def filter_top_k(x, k):
    """Keep the `k` largest values of the last axis (ties: lower index first); the rest -> -1e10."""
    order = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    mask = np.zeros_like(x)
    np.put_along_axis(mask, order, 1.0, axis=-1)
    one, neg = x.dtype.type(1.0), x.dtype.type(NEG_INF)
    return x * mask + neg * (one - mask)


def _prepare(y_true, y_pred, sample_weight, top_k, class_id, dtype):
    y_true = to_array(y_true, dtype)
    y_pred = to_array(y_pred, dtype)
    y_pred, y_true = same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = to_array(sample_weight, dtype)[..., None]
        _, sample_weight = same_rank(y_true, sample_weight, expand_rank_1=False)
    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(
                "When class_id is provided, y_pred must be a 2D array with shape "
                f"(num_samples, num_classes). Received: y_pred.shape={y_pred.shape}"
            )
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    return y_true, y_pred, sample_weight


def _weights(sample_weight, label_weights, shape, dtype):
    """Per-prediction weights broadcast to `shape` (None when all are 1)."""
    w = None
    if sample_weight is not None:
        w = np.broadcast_to(sample_weight, shape)
    if label_weights is not None:
        lw = np.broadcast_to(to_array(label_weights, dtype)[None], shape)
        w = lw if w is None else w * lw
    return None if w is None else np.asarray(w, dtype=dtype)


def _bucketed(pos_w, neg_w, y_pred, num_thresholds, with_epsilon):
    """(tp, fp, total_pos, total_neg) from bucket sums: the evenly spaced path."""
    cols = y_pred.shape[1]
    tp = np.zeros((num_thresholds, cols))
    fp = np.zeros((num_thresholds, cols))
    total_pos, total_neg = np.zeros(cols), np.zeros(cols)
    p = np.ascontiguousarray(np.clip(y_pred, 0.0, 1.0).astype(y_pred.dtype, copy=False))
    K.confusion_buckets(p, pos_w, neg_w, y_pred.dtype.type(num_thresholds - 1),
                          bool(with_epsilon), tp, fp, total_pos, total_neg)
    return tp, fp, total_pos, total_neg


def _compared(pos_w, neg_w, y_pred, thresholds):
    """(tp, fp, total_pos, total_neg) from `y_pred > t` for each threshold t."""
    total_pos, total_neg = pos_w.sum(axis=0), neg_w.sum(axis=0)
    if len(thresholds) * y_pred.size <= 65536:  # small: compare directly
        above = (y_pred[None] > thresholds[:, None, None]).astype(np.float64)
        return (above * pos_w).sum(axis=1), (above * neg_w).sum(axis=1), total_pos, total_neg
    cols = y_pred.shape[1]
    tp = np.zeros((len(thresholds), cols))
    fp = np.zeros((len(thresholds), cols))
    for j in range(cols):
        p = np.where(np.isnan(y_pred[:, j]), -np.inf, y_pred[:, j])
        order = np.argsort(p, kind="stable")
        above = np.searchsorted(p[order], thresholds, side="right")
        # suffix[i]: the weight of the predictions at sorted positions >= i.
        for out, w in ((tp, pos_w), (fp, neg_w)):
            suffix = np.concatenate([np.cumsum(w[order, j][::-1])[::-1], [0.0]])
            out[:, j] = suffix[above]
    return tp, fp, total_pos, total_neg


def update_confusion_matrix(variables, y_true, y_pred, thresholds, top_k=None, class_id=None,
                            sample_weight=None, multi_label=False, label_weights=None,
                            thresholds_distributed_evenly=False):
    """Add the weighted confusion-matrix counts of a batch to the given variables.

    Args:
        variables: a dict with some of the keys 'tp', 'fp', 'tn', 'fn' and state
            variables of shape `(T,)`, or `(T, num_labels)` when `multi_label`.
        y_true: labels (cast to bool).
        y_pred: predictions in [0, 1].
        thresholds: the T thresholds (a list or array).
        top_k: keep only the top-k predictions of each row as candidates.
        class_id: look only at this class (last axis).
        sample_weight: per-sample (or per-element) weights.
        multi_label: count each label (last axis) separately.
        label_weights: per-label weights (only without `multi_label`).
        thresholds_distributed_evenly: take the bucketed path.
    """
    unknown = [k for k in variables if k not in KEYS]
    if unknown:
        raise ValueError(f"Invalid keys: {unknown}. Valid keys: {list(KEYS)}. "
                         f"Received: variables={list(variables)}")
    dtype = next(iter(variables.values())).dtype
    with_epsilon = thresholds_distributed_evenly and (thresholds[0] < 0.0 or thresholds[-1] > 1.0)
    thresholds = np.asarray(thresholds, dtype=dtype)
    y_true, y_pred, sample_weight = _prepare(y_true, y_pred, sample_weight, top_k, class_id,
                                             dtype)
    weights = _weights(sample_weight, None if multi_label else label_weights, y_pred.shape,
                       dtype)
    if y_true.shape != y_pred.shape:
        raise ValueError("`y_true` and `y_pred` must have the same shape (up to a trailing "
                         f"axis of 1). Received: y_true.shape={y_true.shape}, "
                         f"y_pred.shape={y_pred.shape}")
    cols = y_pred.shape[-1] if multi_label and y_pred.ndim > 1 else 1
    y_pred = y_pred.reshape(-1, cols)
    is_pos = (y_true != 0).reshape(y_pred.shape)
    if weights is None:
        pos_w = is_pos.astype(np.float64)
        neg_w = 1.0 - pos_w
    else:
        w = weights.reshape(y_pred.shape).astype(np.float64)
        pos_w = np.where(is_pos, w, 0.0)
        neg_w = np.where(is_pos, 0.0, w)
    if thresholds_distributed_evenly:
        tp, fp, total_pos, total_neg = _bucketed(pos_w, neg_w, y_pred, len(thresholds),
                                                 with_epsilon)
    else:
        tp, fp, total_pos, total_neg = _compared(pos_w, neg_w, y_pred, thresholds)
    counts = {"tp": tp, "fp": fp}
    if "tn" in variables:
        counts["tn"] = total_neg[None, :] - fp
    if "fn" in variables:
        counts["fn"] = total_pos[None, :] - tp
    for key, var in variables.items():
        var.assign_add(counts[key].reshape(var.shape).astype(dtype))
