"""`ops.einsum`: differentiable Einstein summation (NumPy's, with BLAS-backed contractions).

The backward pass of each operand is itself an einsum: the output gradient contracted
with the other operands onto that operand's subscripts.
"""

import string
from collections import Counter

import numpy as np

from nbkeras.ops.core import record, unwrap


def parse_subscripts(subscripts, shapes):
    """Explicit subscripts (ellipses spelled out with free letters) and the output's."""
    s = subscripts.replace(" ", "")
    ins, out = s.split("->") if "->" in s else (s, None)
    ins = ins.split(",")
    if len(ins) != len(shapes):
        raise ValueError(
            f"`einsum` got {len(shapes)} operands for the {len(ins)} operand subscripts of "
            f"'{subscripts}'. Received: subscripts={subscripts!r}")
    free = [c for c in string.ascii_letters if c not in s]
    widths = [len(shape) - (len(sub) - 3) for sub, shape in zip(ins, shapes) if "..." in sub]
    width = max(widths, default=0)
    ell = "".join(free[:width])
    full = []
    for sub, shape in zip(ins, shapes):
        if "..." in sub:
            k = len(shape) - (len(sub) - 3)
            sub = sub.replace("...", ell[width - k:])  # broadcast from the right
        if len(sub) != len(shape):
            raise ValueError(
                f"`einsum` subscripts '{sub}' do not match an operand of rank {len(shape)}. "
                f"Received: subscripts={subscripts!r}, shapes={[tuple(x) for x in shapes]}")
        full.append(sub)
    if out is None:
        counts = Counter("".join(i.replace("...", "") for i in ins))
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1))
    else:
        out = out.replace("...", ell)
    return full, out


def _operand_grad(g, i, subs, out, arrays):
    """d(sum(g * einsum))/d(operand i), shaped like operand i."""
    target = subs[i]
    if len(set(target)) != len(target):
        raise NotImplementedError(
            f"The gradient of `einsum` with a repeated index in one operand ('{target}') is "
            "not implemented.")
    others = [s for j, s in enumerate(subs) if j != i]
    avail = set(out).union(*others) if others else set(out)
    kept = "".join(c for c in target if c in avail)
    expr = ",".join([out] + others) + "->" + kept
    gi = np.einsum(expr, g, *[a for j, a in enumerate(arrays) if j != i], optimize=True)
    shape = arrays[i].shape
    sums = tuple(k for k, c in enumerate(kept) if shape[target.index(c)] == 1 and gi.shape[k] != 1)
    if sums:
        gi = gi.sum(axis=sums, keepdims=True)
    for k, c in enumerate(target):
        if c not in avail:
            gi = np.expand_dims(gi, k)
    return np.broadcast_to(gi, shape) if gi.shape != shape else gi


def einsum(subscripts, *operands, **kwargs):
    """Einstein summation over `operands` (NumPy's subscripts, ellipses included).

    Args:
        subscripts: e.g. `'ij,jk->ik'` or `'...d,dk->...k'`.
        *operands: the arrays or tensors.

    Example:
        >>> ops.einsum("ij,jk->ik", np.ones((2, 3)), np.ones((3, 4))).shape
        (2, 4)
    """
    arrays = [np.asarray(unwrap(x)) for x in operands]
    subs, out_subs = parse_subscripts(subscripts, [a.shape for a in arrays])
    expr = ",".join(subs) + "->" + out_subs
    dtype = np.result_type(*arrays)
    out = np.asarray(np.einsum(expr, *arrays, optimize=len(arrays) > 1)).astype(dtype, copy=False)

    def backward(g, needs):
        return tuple(_operand_grad(g, i, subs, out_subs, arrays).astype(arrays[i].dtype,
                                                                      copy=False)
                     if need else None for i, need in enumerate(needs))

    return record(out, tuple(operands), backward)
