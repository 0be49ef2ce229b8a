"""Row helpers shared by the softmax and crossentropy kernels of every device: each reads
row i of a 2-D array (a CPU loop iteration, or one CUDA thread's row).

Inlined at Numba's IR level (see `formula`), so a CPU caller's loops compile as if written
out in place, with the caller's fastmath flags.
"""

import math

from nbkeras.backend.formulas._formula import formula


@formula
def row_max(x, i):
    """max_j x[i, j] (x has at least one column)."""
    mx = x[i, 0]
    for j in range(1, x.shape[1]):
        if x[i, j] > mx:
            mx = x[i, j]
    return mx


@formula
def row_max_exp_sum(x, i):
    """(mx, s) with mx = max_j x[i, j] and s = sum_j exp(x[i, j] - mx), so that
    logsumexp(x[i]) = mx + log(s) without overflow."""
    mx = row_max(x, i)
    s = 0.0
    for j in range(x.shape[1]):
        s += math.exp(x[i, j] - mx)
    return mx, s


@formula
def row_sum(x, i):
    """sum_j x[i, j], accumulated in float64."""
    s = 0.0
    for j in range(x.shape[1]):
        s += x[i, j]
    return s
