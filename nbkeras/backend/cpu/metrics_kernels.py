"""Confusion-matrix bucketing for thresholded metrics (AUC, Precision, Recall, TP/FP/TN/FN).

The bucket rule is the shared formula of `nbkeras.backend.formulas.metrics`. One pass
adds each prediction's weight to its bucket; a reversed cumulative sum then gives the
count above each threshold. Compiled without fastmath so the float32 product rounds
exactly as in Keras.
"""

from nbkeras.backend.cpu._jit import jit
from nbkeras.backend.formulas import metrics as f


@jit(fastmath=False)
def confusion_buckets(y_pred, pos_w, neg_w, scale, with_epsilon, tp, fp, total_pos, total_neg):
    """Accumulate weighted true / false positives above each of T evenly spaced thresholds.

    Args:
        y_pred: predictions clipped to [0, 1], shape (n, cols), float32 or float64.
        pos_w: the weight of each prediction whose label is positive, else 0 (n, cols).
        neg_w: the weight of each prediction whose label is negative, else 0 (n, cols).
        scale: T - 1, in y_pred's float type.
        with_epsilon: the end thresholds are -eps and 1 + eps: bucket -1 becomes 0.
        tp, fp: zeroed outputs, shape (T, cols).
        total_pos, total_neg: zeroed outputs, shape (cols,): the weight totals.

    Example:
        >>> confusion_buckets(p, pos_w, neg_w, np.float32(199), True, tp, fp, tot_p, tot_n)
    """
    n, cols = y_pred.shape
    for i in range(n):
        for j in range(cols):
            p = y_pred[i, j]
            wp = pos_w[i, j]
            wn = neg_w[i, j]
            total_pos[j] += wp
            total_neg[j] += wn
            b = f.threshold_bucket(p, scale, with_epsilon)
            if b >= 0:
                tp[b, j] += wp
                fp[b, j] += wn
    for j in range(cols):
        f.cumulate_above(tp, fp, j)
