"""Confusion-matrix bucketing for thresholded metrics, on the GPU.

Same name and arguments as `nbkeras.backend.cpu.metrics_kernels`, with its bucket rule
(`nbkeras.backend.formulas.metrics`): one thread per prediction adds its weights to its
bucket with atomic adds, then one thread per column turns the buckets into counts above
each threshold (a reversed cumulative sum).
"""

from numba import cuda

from nbkeras.backend.cuda._launch import formulas, kernel, launch
from nbkeras.backend.formulas import metrics

f = formulas(metrics)


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
        b = f.threshold_bucket(p, scale, with_epsilon)
        if b >= 0:
            cuda.atomic.add(tp, (b, j), wp)
            cuda.atomic.add(fp, (b, j), wn)


@kernel
def _cumulate(tp, fp):
    j = cuda.grid(1)
    if j < tp.shape[1]:
        f.cumulate_above(tp, fp, j)


def confusion_buckets(y_pred, pos_w, neg_w, scale, with_epsilon, tp, fp, total_pos, total_neg):
    """The CPU kernel's `confusion_buckets` on the GPU (same arguments and outputs).

    Example:
        >>> confusion_buckets(p, pos_w, neg_w, np.float32(199), True, tp, fp, tot_p, tot_n)
    """
    launch(_bucket, y_pred.size, y_pred, pos_w, neg_w, scale, bool(with_epsilon), tp, fp,
           total_pos, total_neg)
    launch(_cumulate, tp.shape[1], tp, fp)
