"""`ops.einsum`: differentiable Einstein summation (NumPy's, with BLAS-backed contractions).

The backward pass of each operand is itself an einsum: the output gradient contracted
with the other operands onto that operand's subscripts.
"""

import string
from collections import Counter

from nbkeras.ops.core import op


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


def _operand_grad(xp, g, i, subs, out, arrays):
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
    gi = xp.einsum(expr, g, *[a for j, a in enumerate(arrays) if j != i], optimize=True)
    shape = arrays[i].shape
    sums = tuple(k for k, c in enumerate(kept) if shape[target.index(c)] == 1 and gi.shape[k] != 1)
    if sums:
        gi = gi.sum(axis=sums, keepdims=True)
    for k, c in enumerate(target):
        if c not in avail:
            gi = xp.expand_dims(gi, k)
    return xp.broadcast_to(gi, shape) if gi.shape != shape else gi


def einsum(*args, **kwargs):
    """Einstein summation over `operands` (NumPy's subscripts, ellipses included).

    Called as Keras's `einsum(subscripts, *operands)`; a functional-graph node replays it
    as `einsum(*operands, subscripts=...)`.

    Args:
        subscripts: e.g. `'ij,jk->ik'` or `'...d,dk->...k'`.
        *operands: the arrays or tensors.

    Example:
        >>> ops.einsum("ij,jk->ik", np.ones((2, 3)), np.ones((3, 4))).shape
        (2, 4)
    """
    if "subscripts" in kwargs:
        subscripts, operands = kwargs.pop("subscripts"), args
    elif args:
        subscripts, operands = args[0], args[1:]
    else:
        raise TypeError("`einsum` needs subscripts and operands. Received: args=()")
    if kwargs:
        raise TypeError(f"Unknown arguments for `einsum`: {sorted(kwargs)}. Received: {kwargs}")
    if not isinstance(subscripts, str):
        raise ValueError("`einsum`'s first argument must be the subscripts string, such as "
                         f"'ij,jk->ik'. Received: subscripts={subscripts!r}")
    plan = {}

    def forward(xp, *arrays):
        subs, out_subs = parse_subscripts(subscripts, [a.shape for a in arrays])
        plan.update(subs=subs, out=out_subs)
        dtype = xp.result_type(*arrays)
        out = xp.einsum(",".join(subs) + "->" + out_subs, *arrays, optimize=len(arrays) > 1)
        return xp.asarray(out).astype(dtype, copy=False)

    def backward(xp, g, needs, arrays, out):
        return tuple(_operand_grad(xp, g, i, plan["subs"], plan["out"], arrays)
                     .astype(arrays[i].dtype, copy=False) if need else None
                     for i, need in enumerate(needs))

    return op("einsum", forward, tuple(operands), backward, config={"subscripts": subscripts})
