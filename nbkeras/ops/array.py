"""Shape and layout ops with Keras 3 names: `broadcast_to`, `slice`, `slice_update`, `ravel`,
`swapaxes`, `moveaxis`, `hstack`/`vstack`/`unstack`, `diagonal`/`trace`, `outer`, `meshgrid`,
`tri`, `full_like`, `copy`, `size`, `nonzero`,
`split`, `tril`/`triu`, `pad`, `repeat`, `flip`, `roll`, `take_along_axis`, `linspace`,
`array`, `identity`, `diag`.

Each goes through `ops.core.op` (or `composite`), so it takes arrays from the active
device's `xp`, records its gradient on the tape and works on symbolic inputs.

Example:
    >>> ops.split(np.arange(6.0), 3)
    [array([0., 1.]), array([2., 3.]), array([4., 5.])]
"""

import builtins

import numpy as np

from nbkeras import config
from nbkeras.backend import active as _device
from nbkeras.ops.core import composite, op, unwrap
from nbkeras.ops import numpy as knp
from nbkeras.ops.numpy import convert_to_tensor, getitem, unbroadcast

__all__ = ["array", "broadcast_to", "copy", "diag", "diagonal", "flip", "full_like", "hstack",
           "identity", "linspace", "meshgrid", "moveaxis", "nonzero", "outer", "pad", "ravel",
           "repeat", "roll", "size", "slice", "slice_update", "split", "swapaxes",
           "take_along_axis", "trace", "tri", "tril", "triu", "unstack", "vstack"]


def array(x, dtype=None):
    """Return x as a device array (Keras's `ops.array`).

    Args:
        x: an array, a nested list or a number.
        dtype: the dtype (inferred, floats as floatx, when None).

    Example:
        >>> ops.array([1.0, 2.0]).dtype
        dtype('float32')
    """
    return convert_to_tensor(x, dtype)


def identity(n, dtype=None):
    """The n x n identity matrix (floatx by default).

    Args:
        n: the number of rows and columns.
        dtype: the dtype.

    Example:
        >>> ops.identity(2)
        array([[1., 0.],
               [0., 1.]], dtype=float32)
    """
    return _device.xp.eye(n, dtype=dtype or config.floatx())


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """`num` evenly spaced values from `start` to `stop` (as `np.linspace`).

    Args:
        start, stop: the end points (numbers or arrays).
        num: how many values.
        endpoint: whether `stop` is included.
        retstep: also return the spacing.
        dtype: the dtype (floatx by default).
        axis: where the new axis goes when the end points are arrays.

    Example:
        >>> ops.linspace(0.0, 1.0, 3)
        array([0. , 0.5, 1. ], dtype=float32)
    """
    out = _device.xp.linspace(unwrap(start), unwrap(stop), int(num), endpoint=endpoint,
                              retstep=retstep, axis=axis)
    dtype = dtype or config.floatx()
    if retstep:
        return out[0].astype(dtype), out[1]
    return out.astype(dtype)


def broadcast_to(x, shape):
    """Broadcast x to `shape`; the gradient sums back over the broadcast axes.

    Args:
        x: the tensor.
        shape: the target shape.

    Example:
        >>> ops.broadcast_to(np.array([1.0, 2.0]), (2, 2))
        array([[1., 2.],
               [1., 2.]])
    """
    shape = tuple(shape)
    return op("broadcast_to", lambda xp, a: xp.broadcast_to(a, shape).copy(), (x,),
              lambda xp, g, needs, arrays, out: (unbroadcast(g, np.shape(arrays[0])),),
              {"shape": shape})


def _region(start_indices, sizes):
    return tuple(builtins.slice(int(s), int(s) + int(n)) for s, n in zip(start_indices, sizes))


def slice(inputs, start_indices, shape):
    """The block of `inputs` of size `shape` starting at `start_indices` (Keras's `ops.slice`).

    Args:
        inputs: the tensor.
        start_indices: one start per axis.
        shape: one size per axis.

    Example:
        >>> ops.slice(np.arange(6.0).reshape(2, 3), (0, 1), (2, 2))
        array([[1., 2.],
               [4., 5.]])
    """
    starts = [int(s) for s in np.asarray(unwrap(start_indices)).reshape(-1)]
    sizes = [int(s) for s in np.asarray(unwrap(shape)).reshape(-1)]
    if len(starts) != len(sizes):
        raise ValueError("`start_indices` and `shape` must have one entry per axis. Received: "
                         f"start_indices={start_indices!r}, shape={shape!r}")

    def run(inputs):
        return getitem(inputs, _region(starts, sizes))

    return composite("slice", run, (inputs,), {"start_indices": starts, "shape": sizes})


def slice_update(inputs, start_indices, updates):
    """A copy of `inputs` with the block at `start_indices` replaced by `updates`.

    Args:
        inputs: the tensor.
        start_indices: one start per axis.
        updates: the new block (its shape is the block's).

    Example:
        >>> ops.slice_update(np.zeros(4), (1,), np.ones(2))
        array([0., 1., 1., 0.])
    """
    starts = [int(s) for s in np.asarray(unwrap(start_indices)).reshape(-1)]

    def forward(xp, a, u):
        out = xp.array(a, dtype=np.result_type(xp.asarray(a).dtype, xp.asarray(u).dtype))
        out[_region(starts, np.shape(u))] = u
        return out

    def backward(xp, g, needs, arrays, out):
        key = _region(starts, np.shape(arrays[1]))
        gx = None
        if needs[0]:
            gx = g.copy()
            gx[key] = 0
        return gx, (g[key].copy() if needs[1] else None)

    return op("slice_update", forward, (inputs, updates), backward,
              {"start_indices": starts})


def split(x, indices_or_sections, axis=0):
    """Split x along `axis` into equal sections or at the given indices.

    Args:
        x: the tensor.
        indices_or_sections: a number of equal sections, or the split points.
        axis: the axis to split.

    Example:
        >>> [p.shape for p in ops.split(np.zeros((4, 2)), [1], axis=0)]
        [(1, 2), (3, 2)]
    """
    n = knp.shape(x)[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        if n % int(indices_or_sections):
            raise ValueError(f"An axis of size {n} cannot be split into {indices_or_sections} "
                             f"equal sections. Received: indices_or_sections="
                             f"{indices_or_sections!r}")
        step = n // int(indices_or_sections)
        bounds = list(range(0, n + 1, step)) if step else [0, n]
    else:
        bounds = [0] + [int(i) for i in indices_or_sections] + [n]

    def run(x):
        lead = (builtins.slice(None),) * (axis % len(knp.shape(x)))
        return [getitem(x, lead + (builtins.slice(a, b),)) for a, b in zip(bounds, bounds[1:])]

    return composite("split", run, (x,), {"indices_or_sections": indices_or_sections,
                                          "axis": axis})


def tril(x, k=0):
    """The lower triangle of the last two axes (entries above diagonal `k` zeroed).

    Args:
        x: a tensor of rank 2 or more.
        k: the diagonal (0 the main, > 0 above, < 0 below).

    Example:
        >>> ops.tril(np.ones((2, 2)))
        array([[1., 0.],
               [1., 1.]])
    """
    return op("tril", lambda xp, a: xp.tril(a, k), (x,),
              lambda xp, g, needs, arrays, out: (xp.tril(g, k),), {"k": k})


def triu(x, k=0):
    """The upper triangle of the last two axes (entries below diagonal `k` zeroed).

    Args:
        x: a tensor of rank 2 or more.
        k: the diagonal.

    Example:
        >>> ops.triu(np.ones((2, 2)))
        array([[1., 1.],
               [0., 1.]])
    """
    return op("triu", lambda xp, a: xp.triu(a, k), (x,),
              lambda xp, g, needs, arrays, out: (xp.triu(g, k),), {"k": k})


_INDEX_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")
_PAD_MODES = _INDEX_MODES + ("linear_ramp", "maximum", "mean", "median", "minimum")


def pad(x, pad_width, mode="constant", constant_values=None):
    """Pad x (as `np.pad`); the gradient of the copying modes flows back to the source entries.

    Args:
        x: the tensor.
        pad_width: `((before, after), ...)` per axis, or one pair / number for all.
        mode: 'constant', 'edge', 'reflect', 'symmetric', 'wrap' (differentiable), or
            'linear_ramp', 'maximum', 'mean', 'median', 'minimum' (no gradient).
        constant_values: the fill of 'constant' (0 when None).

    Example:
        >>> ops.pad(np.ones(2), [[1, 0]])
        array([0., 1., 1.])
    """
    if mode not in _PAD_MODES:
        raise ValueError(f"`mode` must be one of {_PAD_MODES}. Received: mode={mode!r}")
    if constant_values is not None and mode != "constant":
        raise ValueError("`constant_values` is only used with mode='constant'. Received: "
                         f"mode={mode!r}, constant_values={constant_values!r}")
    width = np.asarray(pad_width, dtype=np.int64).tolist()
    fill = 0 if constant_values is None else constant_values

    def forward(xp, a):
        if mode == "constant":
            return xp.pad(a, width, mode="constant", constant_values=fill)
        return xp.pad(a, width, mode=mode)

    def backward(xp, g, needs, arrays, out):
        shape = np.shape(arrays[0])
        size = int(np.prod(shape))
        index = xp.arange(size).reshape(shape)
        if mode == "constant":
            index = xp.pad(index, width, mode="constant", constant_values=-1)
        else:
            index = xp.pad(index, width, mode=mode)
        keep = index >= 0
        gx = xp.zeros(size, dtype=g.dtype)
        xp.add.at(gx, index[keep], g[keep])
        return (gx.reshape(shape),)

    return op("pad", forward, (x,), backward if mode in _INDEX_MODES else None,
              {"pad_width": width, "mode": mode, "constant_values": constant_values})


def _scatter_along(xp, g, index, shape, axis):
    """The gradient of gathering `index` along `axis`: g summed into each source entry."""
    gx = xp.zeros(shape, dtype=g.dtype)
    xp.add.at(xp.moveaxis(gx, axis, 0), index, xp.moveaxis(g, axis, 0))
    return gx


def repeat(x, repeats, axis=None):
    """Repeat each entry of x `repeats` times along `axis` (the flattened x when None).

    Args:
        x: the tensor.
        repeats: a number, or one count per entry along `axis`.
        axis: the axis (None flattens x first).

    Example:
        >>> ops.repeat(np.array([1.0, 2.0]), 2)
        array([1., 1., 2., 2.])
    """
    reps = np.asarray(unwrap(repeats)).tolist()

    def backward(xp, g, needs, arrays, out):
        shape = np.shape(arrays[0])
        ax, src = (0, (int(np.prod(shape)),)) if axis is None else (axis, shape)
        index = xp.repeat(xp.arange(src[ax]), reps)
        return (_scatter_along(xp, g, index, src, ax).reshape(shape),)

    return op("repeat", lambda xp, a: xp.repeat(a, reps, axis=axis), (x,), backward,
              {"repeats": reps, "axis": axis})


def flip(x, axis=None):
    """Reverse the order of entries along `axis` (all axes when None).

    Args:
        x: the tensor.
        axis: an axis, a tuple of axes, or None.

    Example:
        >>> ops.flip(np.array([1.0, 2.0, 3.0]))
        array([3., 2., 1.])
    """
    axis = tuple(axis) if isinstance(axis, list) else axis
    return op("flip", lambda xp, a: xp.flip(a, axis), (x,),
              lambda xp, g, needs, arrays, out: (xp.flip(g, axis),), {"axis": axis})


def roll(x, shift, axis=None):
    """Shift entries along `axis` cyclically (of the flattened x when None).

    Args:
        x: the tensor.
        shift: the number of places (or one per axis).
        axis: the axis or axes.

    Example:
        >>> ops.roll(np.array([1.0, 2.0, 3.0]), 1)
        array([3., 1., 2.])
    """
    axis = tuple(axis) if isinstance(axis, list) else axis
    back = tuple(-s for s in shift) if isinstance(shift, (list, tuple)) else -shift
    return op("roll", lambda xp, a: xp.roll(a, shift, axis), (x,),
              lambda xp, g, needs, arrays, out: (xp.roll(g, back, axis),),
              {"shift": shift, "axis": axis})


def _along_key(xp, index, axis):
    """The fancy-index tuple that picks `index` along `axis` (broadcast aranges elsewhere)."""
    nd = index.ndim
    key = []
    for d in range(nd):
        if d == axis:
            key.append(index)
        else:
            shape = [1] * nd
            shape[d] = index.shape[d]
            key.append(xp.arange(index.shape[d]).reshape(shape))
    return tuple(key)


def take_along_axis(x, indices, axis=None):
    """Gather entries of x at `indices` along `axis` (as `np.take_along_axis`).

    Args:
        x: the tensor.
        indices: integer indices, broadcastable to x except along `axis`.
        axis: the axis (None: the flattened x).

    Example:
        >>> ops.take_along_axis(np.array([[3.0, 1.0]]), np.array([[1, 0]]), axis=1)
        array([[1., 3.]])
    """
    idx = np.asarray(unwrap(indices)).astype(np.int64)

    def prepare(xp, a):
        a = xp.asarray(a)
        if axis is None:
            return a.reshape(-1), 0, xp.asarray(idx).reshape(-1)
        ax = axis % a.ndim
        shape = list(a.shape)
        shape[ax] = idx.shape[ax]
        full = xp.broadcast_to(xp.asarray(idx), xp.broadcast_shapes(tuple(shape), idx.shape))
        return a, ax, xp.where(full < 0, full + a.shape[ax], full)

    def forward(xp, a):
        a, ax, index = prepare(xp, a)
        return a[_along_key(xp, index, ax)]

    def backward(xp, g, needs, arrays, out):
        a, ax, index = prepare(xp, arrays[0])
        gx = xp.zeros(a.shape, dtype=g.dtype)
        xp.add.at(gx, _along_key(xp, index, ax), g)
        return (gx.reshape(np.shape(arrays[0])),)

    return op("take_along_axis", forward, (x,), backward,
              {"indices": idx.tolist(), "axis": axis})


def diag(x, k=0):
    """The k-th diagonal of a matrix, or a matrix with a vector on its k-th diagonal.

    Args:
        x: a vector or a matrix.
        k: the diagonal.

    Example:
        >>> ops.diag(np.array([1.0, 2.0]))
        array([[1., 0.],
               [0., 2.]])
    """
    def backward(xp, g, needs, arrays, out):
        shape = np.shape(arrays[0])
        if len(shape) == 1:
            return (xp.diag(g, k),)
        gx = xp.zeros(shape, dtype=g.dtype)
        i = xp.arange(g.shape[0])
        gx[i + builtins.max(-k, 0), i + builtins.max(k, 0)] = g
        return (gx,)

    if np.ndim(unwrap(x)) not in (1, 2) and not getattr(x, "_keras_symbolic", False):
        raise ValueError(f"`diag` expects a vector or a matrix. Received: x with shape "
                         f"{knp.shape(x)}")
    return op("diag", lambda xp, a: xp.diag(a, k), (x,), backward, {"k": k})


def ravel(x):
    """x flattened to one axis (differentiable).

    Example:
        >>> ops.ravel(np.ones((2, 2))).shape
        (4,)
    """
    return composite("ravel", lambda x: knp.reshape(x, (-1,)), (x,))


def swapaxes(x, axis1, axis2):
    """x with two axes exchanged (differentiable).

    Example:
        >>> ops.swapaxes(np.ones((2, 3)), 0, 1).shape
        (3, 2)
    """
    def run(x):
        perm = list(range(len(knp.shape(x))))
        perm[axis1], perm[axis2] = perm[axis2], perm[axis1]
        return knp.transpose(x, perm)

    return composite("swapaxes", run, (x,), {"axis1": axis1, "axis2": axis2})


def moveaxis(x, source, destination):
    """x with axes moved from `source` to `destination` (ints or lists; differentiable).

    Example:
        >>> ops.moveaxis(np.ones((2, 3, 4)), 0, -1).shape
        (3, 4, 2)
    """
    def run(x):
        nd = len(knp.shape(x))
        src = [int(s) % nd for s in np.atleast_1d(source)]
        dst = [int(d) % nd for d in np.atleast_1d(destination)]
        order = [i for i in range(nd) if i not in src]
        for d, s in sorted(zip(dst, src)):
            order.insert(d, s)
        return knp.transpose(x, order)

    return composite("moveaxis", run, (x,), {"source": source, "destination": destination})


def hstack(xs):
    """Join tensors along their second axis (the first for 1-D tensors).

    Example:
        >>> ops.hstack([np.ones((2, 1)), np.zeros((2, 2))]).shape
        (2, 3)
    """
    def run(*xs):
        return knp.concatenate(list(xs), axis=0 if len(knp.shape(xs[0])) == 1 else 1)

    return composite("hstack", run, tuple(xs))


def vstack(xs):
    """Join tensors along their first axis (1-D tensors become rows).

    Example:
        >>> ops.vstack([np.ones(3), np.zeros(3)]).shape
        (2, 3)
    """
    def run(*xs):
        rows = [knp.reshape(x, (1, -1)) if len(knp.shape(x)) == 1 else x for x in xs]
        return knp.concatenate(rows, axis=0)

    return composite("vstack", run, tuple(xs))


def unstack(x, num=None, axis=0):
    """The slices of x along `axis`, as a list (differentiable).

    Example:
        >>> len(ops.unstack(np.ones((3, 2))))
        3
    """
    def run(x):
        shape = knp.shape(x)
        n = shape[axis]
        if num is not None and int(num) != n:
            raise ValueError(f"`num` must equal the size of axis {axis} ({n}). "
                             f"Received: num={num!r}")
        lead = (builtins.slice(None),) * (axis % len(shape))
        return [getitem(x, lead + (i,)) for i in range(n)]

    return composite("unstack", run, (x,), {"num": num, "axis": axis})


def diagonal(x, offset=0, axis1=0, axis2=1):
    """The diagonal `offset` of the planes spanned by `axis1` and `axis2`; the diagonal's
    axis goes last (differentiable).

    Example:
        >>> ops.diagonal(np.arange(4.0).reshape(2, 2))
        array([0., 3.])
    """
    def backward(xp, g, needs, arrays, out):
        gx = xp.zeros(np.shape(arrays[0]), dtype=g.dtype)
        nd = gx.ndim
        a1, a2 = axis1 % nd, axis2 % nd
        moved = xp.moveaxis(gx, (a1, a2), (-2, -1))
        i = xp.arange(g.shape[-1])
        moved[..., i + builtins.max(-offset, 0), i + builtins.max(offset, 0)] = g
        return (gx,)

    return op("diagonal", lambda xp, a: xp.diagonal(a, offset, axis1, axis2).copy(), (x,),
              backward, {"offset": offset, "axis1": axis1, "axis2": axis2})


def trace(x, offset=0, axis1=0, axis2=1):
    """The sum of a diagonal (see `diagonal`; differentiable).

    Example:
        >>> ops.trace(np.eye(3))
        array(3.)
    """
    def run(x):
        return knp.sum(diagonal(x, offset, axis1, axis2), axis=-1)

    return composite("trace", run, (x,), {"offset": offset, "axis1": axis1, "axis2": axis2})


def outer(x1, x2):
    """The outer product of the flattened x1 and x2 (differentiable).

    Example:
        >>> ops.outer(np.array([1.0, 2.0]), np.array([1.0, 0.0, 3.0])).shape
        (2, 3)
    """
    def run(x1, x2):
        return knp.multiply(knp.reshape(x1, (-1, 1)), knp.reshape(x2, (1, -1)))

    return composite("outer", run, (x1, x2))


def meshgrid(*x, indexing="xy"):
    """Coordinate grids from 1-D coordinate vectors (as `np.meshgrid`).

    Example:
        >>> [g.shape for g in ops.meshgrid(np.arange(3), np.arange(2))]
        [(2, 3), (2, 3)]
    """
    if indexing not in ("xy", "ij"):
        raise ValueError(f"`indexing` must be 'xy' or 'ij'. Received: indexing={indexing!r}")
    return list(_device.xp.meshgrid(*[unwrap(v) for v in x], indexing=indexing))


def tri(N, M=None, k=0, dtype=None):
    """Ones at and below diagonal `k` of an N x M matrix, zeros above (floatx by default).

    Example:
        >>> ops.tri(2)
        array([[1., 0.],
               [1., 1.]], dtype=float32)
    """
    return _device.xp.tri(N, M, k, dtype=dtype or config.floatx())


def full_like(x, fill_value, dtype=None):
    """An array shaped like x filled with `fill_value` (x's dtype when None).

    Example:
        >>> ops.full_like(np.zeros(2), 7.0)
        array([7., 7.])
    """
    return op("full_like", lambda xp, a: xp.full_like(a, fill_value, dtype=dtype), (x,),
              config={"fill_value": fill_value, "dtype": dtype})


def copy(x):
    """A copy of x (differentiable).

    Example:
        >>> ops.copy(np.ones(2))
        array([1., 1.])
    """
    return op("copy", lambda xp, a: xp.array(a), (x,),
              lambda xp, g, needs, arrays, out: (g,))


def size(x):
    """The number of entries of x.

    Example:
        >>> ops.size(np.ones((2, 3)))
        6
    """
    return int(np.prod(knp.shape(x)))


def nonzero(x):
    """The indices of the non-zero entries, one index array per axis (no gradient).

    Example:
        >>> ops.nonzero(np.array([0.0, 2.0, 3.0]))
        (array([1, 2]),)
    """
    return tuple(_device.xp.nonzero(unwrap(x)))
