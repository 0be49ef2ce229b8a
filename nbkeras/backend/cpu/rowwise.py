"""Row helpers shared by the softmax and crossentropy kernels, inlined into each caller.

Inlined at Numba's IR level (`inline="always"`), so a caller's loops compile as if
written out in place. A change here reaches the cached kernels that inline it through
`_cache_stamp`, which hashes every source file of this folder.
"""

import math

from nbkeras.backend.cpu._jit import jit


@jit(inline="always")
def row_max(x, i):
    """max_j x[i, j] (x has at least one column)."""
    mx = x[i, 0]
    for j in range(1, x.shape[1]):
        if x[i, j] > mx:
            mx = x[i, j]
    return mx


@jit(inline="always")
def row_max_exp_sum(x, i):
    """(mx, s) with mx = max_j x[i, j] and s = sum_j exp(x[i, j] - mx), so that
    logsumexp(x[i]) = mx + log(s) without overflow."""
    mx = row_max(x, i)
    s = 0.0
    for j in range(x.shape[1]):
        s += math.exp(x[i, j] - mx)
    return mx, s
