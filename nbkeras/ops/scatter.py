"""Scattered writes and the remaining segment reductions of Keras 3: `scatter`,
`scatter_update` (set, or add / max / min / mul), `segment_min`, `segment_prod`, and the
math odds `erfc`, `in_top_k` and `cdist`.

`scatter`, `scatter_update` (set and add), `segment_min`, `segment_prod`, `erfc` and
`cdist` are differentiable.

Example:
    >>> ops.scatter(np.array([[0], [2]]), np.array([1.0, 5.0]), (3,))
    array([1., 0., 5.])
"""

import numpy as np

from nbkeras.backend import active as _device
from nbkeras.ops import numpy as knp
from nbkeras.ops.core import composite, op, unwrap
from nbkeras.ops.math import _segment_reduce, erf, segment_max

__all__ = ["cdist", "erfc", "in_top_k", "scatter", "scatter_update", "segment_min",
           "segment_prod"]


def _index_key(indices):
    idx = _device.to_numpy(unwrap(indices))
    if idx.dtype.kind not in "iu":
        raise ValueError(f"`indices` must be integers. Received: indices.dtype={idx.dtype}")
    if idx.ndim == 1:
        idx = idx[:, None]
    return tuple(_device.xp.asarray(i) for i in np.moveaxis(idx, -1, 0)), idx.shape[-1]


def scatter(indices, values, shape):
    """A zero tensor of `shape` with `values` added at `indices` (repeats add up).

    Args:
        indices: integer coordinates, shape `(N, k)` with k <= len(shape).
        values: shape `(N,) + shape[k:]`.
        shape: the result's shape.

    Example:
        >>> ops.scatter(np.array([[0, 1], [0, 1]]), np.array([1.0, 2.0]), (2, 2))
        array([[0., 3.],
               [0., 0.]])
    """
    key, k = _index_key(indices)
    shape = tuple(int(s) for s in shape)
    if k > len(shape):
        raise ValueError(f"`indices` address {k} axes of a {len(shape)}-D shape. "
                         f"Received: indices.shape={knp.shape(indices)}, shape={shape}")

    def forward(xp, v):
        v = xp.asarray(v)
        out = xp.zeros(shape, dtype=v.dtype)
        xp.add.at(out, key, v)
        return out

    return op("scatter", forward, (values,),
              lambda xp, g, needs, arrays, out: (g[key],), {"indices": indices, "shape": shape})


_REDUCTIONS = (None, "add", "max", "min", "mul")


def scatter_update(inputs, indices, updates, reduction=None):
    """`inputs` with `updates` written at `indices`: set (None), or combined by 'add',
    'max', 'min' or 'mul'.

    Args:
        inputs: the tensor to update.
        indices: integer coordinates, shape `(N, k)`.
        updates: shape `(N,) + inputs.shape[k:]`.
        reduction: None (set), 'add', 'max', 'min' or 'mul'.

    Example:
        >>> ops.scatter_update(np.zeros(3), np.array([[1]]), np.array([7.0]))
        array([0., 7., 0.])
    """
    if reduction not in _REDUCTIONS:
        raise ValueError(f"`reduction` must be one of {_REDUCTIONS}. Received: "
                         f"reduction={reduction!r}")
    key, _ = _index_key(indices)

    def forward(xp, a, u):
        out = xp.array(a, copy=True)
        u = xp.asarray(u, dtype=out.dtype)
        if reduction is None:
            out[key] = u
        else:
            {"add": xp.add, "max": xp.maximum, "min": xp.minimum,
             "mul": xp.multiply}[reduction].at(out, key, u)
        return out

    def backward(xp, g, needs, arrays, out):
        if reduction in ("max", "min", "mul"):
            raise NotImplementedError(f"nbkeras has no gradient for scatter_update with "
                                      f"reduction={reduction!r}. Received: a loss through it")
        ga = None
        if needs[0]:
            ga = g.copy()
            if reduction is None:
                ga[key] = 0
        return ga, g[key] if needs[1] else None

    return op("scatter_update", forward, (inputs, updates), backward,
              {"indices": indices, "reduction": reduction})


def segment_min(data, segment_ids, num_segments=None, sorted=False):
    """The minimum of the rows of `data` that share a segment id (+inf for empty ones).

    Args:
        data: the tensor; its first axis is split into segments.
        segment_ids: one integer id per row.
        num_segments: the number of segments (max id + 1 when None).
        sorted: kept for Keras's signature.

    Example:
        >>> ops.segment_min(np.array([1.0, 2.0, 3.0]), np.array([0, 0, 1]))
        array([1., 3.])
    """
    ids = _device.to_numpy(unwrap(segment_ids)).reshape(-1).tolist()
    return composite("segment_min", lambda d: knp.negative(segment_max(
        knp.negative(d), np.asarray(ids), num_segments, sorted)), (data,),
        {"segment_ids": ids, "num_segments": num_segments, "sorted": sorted})


def segment_prod(data, segment_ids, num_segments=None, sorted=False):
    """The product of the rows of `data` that share a segment id (1 for empty ones); the
    gradient divides by the entries, so it assumes none is zero.

    Args:
        data: the tensor; its first axis is split into segments.
        segment_ids: one integer id per row.
        num_segments: the number of segments (max id + 1 when None).
        sorted: kept for Keras's signature.

    Example:
        >>> ops.segment_prod(np.array([2.0, 3.0, 4.0]), np.array([0, 0, 1]))
        array([6., 4.])
    """
    def grad(xp, g, a, out, r, k):
        gx = xp.zeros(a.shape, dtype=g.dtype)
        gx[k] = g[r] * out[r] / a[k]
        return gx

    return _segment_reduce("segment_prod", "multiply", 1, grad, data, segment_ids,
                           num_segments, sorted)


def erfc(x):
    """The complementary error function `1 - erf(x)`, elementwise (differentiable).

    Example:
        >>> ops.erfc(np.array([0.0]))
        array([1.])
    """
    return composite("erfc", lambda x: knp.subtract(1.0, erf(x)), (x,))


def in_top_k(targets, predictions, k):
    """Whether each target's prediction is among the k largest of its row (ties count in
    its favour; a NaN prediction never is).

    Args:
        targets: integer class ids, shape `(batch,)`.
        predictions: scores, shape `(batch, classes)`.
        k: how many top entries.

    Example:
        >>> ops.in_top_k(np.array([1, 0]), np.array([[0.1, 0.9], [0.2, 0.8]]), 1)
        array([ True, False])
    """
    def forward(xp, t, p):
        p = xp.asarray(p)
        at = xp.take_along_axis(p, xp.asarray(t)[..., None].astype(np.int64), axis=-1)
        at = xp.where(xp.isnan(at), -np.inf, at)
        return 1 + xp.sum(p > at, axis=-1) <= k

    return op("in_top_k", forward, (targets, predictions), config={"k": k})


def cdist(x, y):
    """Euclidean distances between the rows of x and of y: shape `(..., P, R)` for x of
    shape `(..., P, M)` and y of shape `(..., R, M)`.

    Example:
        >>> ops.cdist(np.array([[0.0, 0.0]]), np.array([[3.0, 4.0]]))
        array([[5.]])
    """
    sx = knp.shape(x)
    sy = knp.shape(y)
    if len(sx) < 2 or len(sy) < 2 or sx[-1] != sy[-1]:
        raise ValueError("`cdist` takes inputs of rank >= 2 with the same last dimension. "
                         f"Received: x.shape={sx}, y.shape={sy}")

    def run(x, y):
        d = knp.subtract(knp.expand_dims(x, -2), knp.expand_dims(y, -3))
        return knp.sqrt(knp.sum(knp.square(d), axis=-1))

    return composite("cdist", run, (x, y))
