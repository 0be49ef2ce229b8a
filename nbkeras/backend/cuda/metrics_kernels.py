"""Confusion-matrix bucketing for thresholded metrics, on the GPU.

Same name, arguments and bucket rule as `nbkeras.backend.cpu.metrics_kernels`: one
thread per prediction adds its weights to its bucket with atomic adds, then one thread
per column turns the buckets into counts above each threshold (a reversed cumulative
sum). The product p * (T - 1) is computed in p's float type, as Keras does.
"""

import math

from numba import cuda

from nbkeras.backend.cuda._launch import kernel, launch


@kernel
def _bucket(y_pred, pos_w, neg_w, scale, with_epsilon, tp, fp, total_pos, total_neg):
    t = cuda.grid(1)
    cols = y_pred.shape[1]
    if t < y_pred.size:
        i = t // cols
        j = t - i * cols
        p = y_pred[i, j]
        wp = pos_w[i, j]
        wn = neg_w[i, j]
        cuda.atomic.add(total_pos, j, wp)
        cuda.atomic.add(total_neg, j, wn)
        if p != p:  # NaN lands in bucket 0, as the integer cast of NaN does in XLA
            b = 0
        else:
            b = int(math.ceil(p * scale)) - 1
            if with_epsilon and b < 0:
                b = 0
        if b >= 0:
            cuda.atomic.add(tp, (b, j), wp)
            cuda.atomic.add(fp, (b, j), wn)


@kernel
def _cumulate(tp, fp):
    j = cuda.grid(1)
    if j < tp.shape[1]:
        for b in range(tp.shape[0] - 2, -1, -1):
            tp[b, j] += tp[b + 1, j]
            fp[b, j] += fp[b + 1, j]


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
    launch(_bucket, y_pred.size, y_pred, pos_w, neg_w, scale, bool(with_epsilon), tp, fp,
           total_pos, total_neg)
    launch(_cumulate, tp.shape[1], tp, fp)
