"""The confusion-matrix bucket rule of the thresholded metrics (AUC, Precision, Recall,
TP/FP/TN/FN), for every device.

With T evenly spaced thresholds `0, 1/(T-1), ..., 1`, a prediction p (clipped to [0, 1]
by the caller) is above threshold k exactly when `ceil(p * (T-1)) - 1 >= k`, computed in
p's float type as Keras computes it. Each prediction's weight goes to its bucket; a
reversed cumulative sum over a column then gives the count above each threshold.
"""

import math

from nbkeras.backend.formulas._formula import formula


@formula
def threshold_bucket(p, scale, with_epsilon):
    """The bucket of prediction p (scale = T - 1 in p's float type); -1: below every
    threshold. NaN lands in bucket 0, as the integer cast of NaN does in XLA; with_epsilon
    (end thresholds -eps and 1 + eps) turns bucket -1 into 0."""
    if p != p:
        return 0
    b = int(math.ceil(p * scale)) - 1
    if with_epsilon and b < 0:
        return 0
    return b


@formula
def cumulate_above(tp, fp, j):
    """Column j of the bucket counts tp, fp (T, cols) becomes the counts above each threshold."""
    for b in range(tp.shape[0] - 2, -1, -1):
        tp[b, j] += tp[b + 1, j]
        fp[b, j] += fp[b + 1, j]
