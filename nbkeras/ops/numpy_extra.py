"""NumPy's long tail with Keras 3's names and signatures: `append`, `diff`, `kron`, `cross`,
`rot90`, `average`, `ptp`, `select`, `inner`, `vdot`, `dstack`, `diagflat`, `trapezoid`,
`vander`, `corrcoef`, `sinc`, `deg2rad`/`rad2deg`, `logaddexp2`, `heaviside`, `fmax`/`fmin`,
`fliplr`/`flipud`, `array_split` and `hsplit`/`vsplit`/`dsplit` (differentiable, built
from other ops); and, with no gradient, `logspace`/`geomspace`, `searchsorted`,
`digitize`, `bincount`, `histogram`, `unique` (eager only: its shape depends on the
values), `isin`, `argpartition`, `allclose`, `isneginf`/`isposinf`, `signbit`, `fmod`,
`gcd`/`lcm`, `unravel_index` and `empty`/`empty_like` (the bitwise ops: ops/bitwise.py).

Example:
    >>> ops.diff(np.array([1.0, 4.0, 9.0]))
    array([3., 5.])
"""

import numpy as np

from nbkeras import config
from nbkeras.backend import active as _device
from nbkeras.ops import numpy as knp
from nbkeras.ops.array import flip, moveaxis, split
from nbkeras.ops.core import composite, op, unwrap
from nbkeras.ops.elementwise import logaddexp
from nbkeras.ops.numpy import _binary, _unary

__all__ = ["allclose", "append", "argpartition", "array_split", "average", "bincount",
           "corrcoef", "cross", "deg2rad", "diagflat", "diff", "digitize", "dsplit",
           "dstack", "empty", "empty_like", "fliplr", "flipud", "fmax", "fmin", "fmod",
           "gcd", "geomspace", "heaviside", "histogram", "hsplit", "inner", "isin",
           "isneginf", "isposinf", "kron", "lcm", "logaddexp2", "logspace", "ptp",
           "rad2deg", "rot90", "searchsorted", "select", "signbit", "sinc", "trapezoid",
           "unique", "unravel_index", "vander", "vdot", "vsplit"]


def _sym(x):
    return getattr(x, "_keras_symbolic", False)


# -- differentiable, from other ops ---------------------------------------------------

def append(x1, x2, axis=None):
    """x2 appended to x1 along `axis` (both flattened when None).

    Example:
        >>> ops.append(np.array([1.0, 2.0]), np.array([[3.0]]))
        array([1., 2., 3.])
    """
    def run(a, b):
        if axis is None:
            return knp.concatenate([knp.reshape(a, (-1,)), knp.reshape(b, (-1,))], axis=0)
        return knp.concatenate([a, b], axis=axis)

    return composite("append", run, (x1, x2), {"axis": axis})


def diff(a, n=1, axis=-1):
    """The n-th discrete difference along `axis`.

    Args:
        a: the tensor.
        n: how many times to difference.
        axis: the axis.

    Example:
        >>> ops.diff(np.array([1.0, 2.0, 4.0, 7.0]), n=2)
        array([1., 1.])
    """
    def run(x):
        nd = len(knp.shape(x))
        for _ in range(n):
            hi = [slice(None)] * nd
            lo = [slice(None)] * nd
            hi[axis], lo[axis] = slice(1, None), slice(None, -1)
            x = knp.subtract(knp.getitem(x, tuple(hi)), knp.getitem(x, tuple(lo)))
        return x

    return composite("diff", run, (a,), {"n": n, "axis": axis})


def kron(x1, x2):
    """The Kronecker product of x1 and x2.

    Example:
        >>> ops.kron(np.eye(2), np.array([[1.0, 2.0]]))
        array([[1., 2., 0., 0.],
               [0., 0., 1., 2.]])
    """
    def run(a, b):
        sa, sb = knp.shape(a), knp.shape(b)
        nd = max(len(sa), len(sb))
        sa, sb = (1,) * (nd - len(sa)) + tuple(sa), (1,) * (nd - len(sb)) + tuple(sb)
        a, b = knp.reshape(a, sa), knp.reshape(b, sb)
        ea = knp.reshape(a, [d for s in sa for d in (s, 1)])
        eb = knp.reshape(b, [d for s in sb for d in (1, s)])
        return knp.reshape(knp.multiply(ea, eb), [p * q for p, q in zip(sa, sb)])

    return composite("kron", run, (x1, x2))


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The cross product of (arrays of) 3-vectors (2-vectors get a zero third entry).

    Args:
        x1, x2: the vectors, along `axisa` / `axisb`.
        axisa, axisb: the vector axes of x1 and x2.
        axisc: the vector axis of the result.
        axis: when given, overrides all three.

    Example:
        >>> ops.cross(np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]))
        array([0., 0., 1.])
    """
    if axis is not None:
        axisa = axisb = axisc = axis

    def run(a, b):
        a, b = moveaxis(a, axisa, -1), moveaxis(b, axisb, -1)
        na, nb = knp.shape(a)[-1], knp.shape(b)[-1]
        if na not in (2, 3) or nb not in (2, 3):
            raise ValueError("The vectors of `cross` must have 2 or 3 entries. "
                             f"Received: x1.shape={knp.shape(a)}, x2.shape={knp.shape(b)}")
        a0, a1 = a[..., 0], a[..., 1]
        b0, b1 = b[..., 0], b[..., 1]
        a2 = a[..., 2] if na == 3 else None
        b2 = b[..., 2] if nb == 3 else None
        z = a0 * b1 - a1 * b0
        if a2 is None and b2 is None:
            return z
        x = (a1 * b2 if b2 is not None else 0.0) - (a2 * b1 if a2 is not None else 0.0)
        y = (a2 * b0 if a2 is not None else 0.0) - (a0 * b2 if b2 is not None else 0.0)
        shape = knp.shape(z)
        x, y = knp.add(knp.zeros(shape, z.dtype), x), knp.add(knp.zeros(shape, z.dtype), y)
        return moveaxis(knp.stack([x, y, z], axis=-1), -1, axisc)

    return composite("cross", run, (x1, x2),
                     {"axisa": axisa, "axisb": axisb, "axisc": axisc, "axis": axis})


def rot90(array, k=1, axes=(0, 1)):
    """Rotate by 90 degrees k times in the plane of `axes` (from the first towards the
    second).

    Example:
        >>> ops.rot90(np.array([[1.0, 2.0], [3.0, 4.0]]))
        array([[2., 4.],
               [1., 3.]])
    """
    axes = tuple(axes)
    if len(axes) != 2 or axes[0] == axes[1]:
        raise ValueError(f"`axes` must be two different axes. Received: axes={axes}")

    def run(x):
        nd = len(knp.shape(x))
        a0, a1 = axes[0] % nd, axes[1] % nd
        kk = k % 4
        if kk == 0:
            return knp.multiply(x, 1)
        if kk == 2:
            return flip(flip(x, a0), a1)
        perm = list(range(nd))
        perm[a0], perm[a1] = perm[a1], perm[a0]
        if kk == 1:
            return knp.transpose(flip(x, a1), perm)
        return flip(knp.transpose(x, perm), a1)

    return composite("rot90", run, (array,), {"k": k, "axes": list(axes)})


def average(x, axis=None, weights=None):
    """The weighted average along `axis` (the mean when `weights` is None).

    Args:
        x: the tensor.
        axis: the axis (None: all entries).
        weights: the weights, of x's shape or 1-D along `axis`.

    Example:
        >>> ops.average(np.array([1.0, 3.0]), weights=np.array([3.0, 1.0]))
        array(1.5)
    """
    def run(x):
        w = weights
        if w is None:
            return knp.mean(x, axis=axis)
        sx, sw = knp.shape(x), knp.shape(w)
        if tuple(sw) != tuple(sx):
            if axis is None or len(sw) != 1 or sw[0] != sx[axis]:
                raise ValueError("`weights` must have x's shape, or be 1-D along `axis`. "
                                 f"Received: x.shape={tuple(sx)}, weights.shape={tuple(sw)}")
            shape = [1] * len(sx)
            shape[axis] = sw[0]
            w = knp.reshape(w, shape)
        w = knp.cast(w, knp.convert_to_tensor(x).dtype) if knp.convert_to_tensor(
            x).dtype.kind == "f" else w
        return knp.divide(knp.sum(knp.multiply(x, w), axis=axis),
                          knp.sum(knp.multiply(knp.ones_like(x), w), axis=axis))

    if _sym(weights):
        raise ValueError("`average` takes fixed (non-symbolic) `weights`. "
                         f"Received: weights={weights!r}")
    w = unwrap(weights)
    return composite("average", run, (x,), {
        "axis": axis, "weights": w.tolist() if isinstance(w, np.ndarray) else w})


def ptp(x, axis=None, keepdims=False):
    """The range `max - min` along `axis`.

    Example:
        >>> ops.ptp(np.array([[1.0, 5.0], [2.0, 3.0]]), axis=1)
        array([4., 1.])
    """
    return composite("ptp", lambda x: knp.subtract(knp.max(x, axis=axis, keepdims=keepdims),
                                                    knp.min(x, axis=axis, keepdims=keepdims)),
                     (x,), {"axis": axis, "keepdims": keepdims})


def select(condlist, choicelist, default=0):
    """Pick, entry by entry, from the first choice whose condition holds (else `default`).

    Args:
        condlist: a list of boolean tensors.
        choicelist: a list of tensors, one per condition.
        default: the value where no condition holds.

    Example:
        >>> x = np.array([-1.0, 0.5, 2.0])
        >>> ops.select([x < 0, x > 1], [-x, x * 10], default=0.0)
        array([ 1.,  0., 20.])
    """
    if len(condlist) != len(choicelist):
        raise ValueError("`condlist` and `choicelist` must have the same length. Received: "
                         f"len(condlist)={len(condlist)}, len(choicelist)={len(choicelist)}")
    if not condlist:
        raise ValueError("`select` needs at least one condition. Received: condlist=[]")

    def run(conds, choices, default):
        out = default
        for c, v in zip(reversed(conds), reversed(choices)):
            out = knp.where(c, v, out)
        return out

    return composite("select", run, (list(condlist), list(choicelist), default))


def inner(x1, x2):
    """The inner product over the last axes of x1 and x2 (a product for scalars).

    Example:
        >>> ops.inner(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
        array(11.)
    """
    def run(a, b):
        if len(knp.shape(a)) == 0 or len(knp.shape(b)) == 0:
            return knp.multiply(a, b)
        return knp.tensordot(a, b, axes=[[-1], [-1]])

    return composite("inner", run, (x1, x2))


def vdot(x1, x2):
    """The dot product of x1 and x2 flattened.

    Example:
        >>> ops.vdot(np.array([[1.0, 2.0]]), np.array([3.0, 4.0]))
        array(11.)
    """
    return composite("vdot", lambda a, b: knp.sum(knp.multiply(
        knp.reshape(a, (-1,)), knp.reshape(b, (-1,)))), (x1, x2))


def dstack(xs):
    """Stack along the third axis (1-D and 2-D tensors are made 3-D first).

    Example:
        >>> ops.dstack([np.array([1.0, 2.0]), np.array([3.0, 4.0])]).shape
        (1, 2, 2)
    """
    def run(xs):
        out = []
        for x in xs:
            s = knp.shape(x)
            if len(s) == 0:
                x = knp.reshape(x, (1, 1, 1))
            elif len(s) == 1:
                x = knp.reshape(x, (1, s[0], 1))
            elif len(s) == 2:
                x = knp.expand_dims(x, -1)
            out.append(x)
        return knp.concatenate(out, axis=2)

    return composite("dstack", run, (list(xs),))


def diagflat(x, k=0):
    """A 2-D tensor with the flattened x on its k-th diagonal.

    Example:
        >>> ops.diagflat(np.array([[1.0, 2.0]]))
        array([[1., 0.],
               [0., 2.]])
    """
    from nbkeras.ops.array import diag
    return composite("diagflat", lambda x: diag(knp.reshape(x, (-1,)), k), (x,), {"k": k})


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integrate y along `axis` with the trapezoidal rule (sample points x, or spacing dx).

    Example:
        >>> ops.trapezoid(np.array([1.0, 2.0, 3.0]))
        array(4.)
    """
    def run(y, x):
        nd = len(knp.shape(y))
        hi = [slice(None)] * nd
        lo = [slice(None)] * nd
        hi[axis], lo[axis] = slice(1, None), slice(None, -1)
        mid = knp.multiply(knp.add(knp.getitem(y, tuple(hi)), knp.getitem(y, tuple(lo))), 0.5)
        if x is None:
            return knp.multiply(knp.sum(mid, axis=axis), dx)
        d = diff(x, axis=-1 if len(knp.shape(x)) == 1 else axis)
        if len(knp.shape(x)) == 1:
            shape = [1] * nd
            shape[axis] = -1
            d = knp.reshape(d, shape)
        return knp.sum(knp.multiply(mid, d), axis=axis)

    return composite("trapezoid", run, (y, x), {"dx": dx, "axis": axis})


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of the 1-D x: columns x**(N-1), ..., x, 1 (or increasing).

    Example:
        >>> ops.vander(np.array([2.0, 3.0]), 3)
        array([[4., 2., 1.],
               [9., 3., 1.]])
    """
    def run(x):
        s = knp.shape(x)
        if len(s) != 1:
            raise ValueError(f"`vander` takes a 1-D tensor. Received: x.shape={tuple(s)}")
        n = s[0] if N is None else int(N)
        powers = np.arange(n) if increasing else np.arange(n)[::-1]
        dt = knp.convert_to_tensor(x).dtype
        cols = knp.power(knp.expand_dims(x, -1), powers.astype(dt if dt.kind == "f" else
                                                                 np.int64))
        return cols

    return composite("vander", run, (x,), {"N": N, "increasing": increasing})


def corrcoef(x):
    """The Pearson correlation coefficients of the rows of x (each row a variable).

    Example:
        >>> ops.corrcoef(np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 7.0]])).shape
        (2, 2)
    """
    def run(x):
        if len(knp.shape(x)) == 1:
            x = knp.expand_dims(x, 0)
        c = knp.subtract(x, knp.mean(x, axis=-1, keepdims=True))
        cov = knp.matmul(c, knp.transpose(c))
        d = knp.sqrt(knp.sum(knp.square(c), axis=-1))
        out = knp.divide(cov, knp.multiply(knp.expand_dims(d, 1), knp.expand_dims(d, 0)))
        return knp.clip(out, -1.0, 1.0)

    return composite("corrcoef", run, (x,))


def sinc(x):
    """The normalized sinc `sin(pi x) / (pi x)` (1 at 0), differentiable.

    Example:
        >>> ops.sinc(np.array([0.0, 0.5]))
        array([1.        , 0.63661977])
    """
    def grad(xp, g, a, y):
        px = np.pi * a
        safe = xp.where(a == 0, 1.0, px)
        d = xp.where(a == 0, 0.0, (xp.cos(px) * px - xp.sin(px)) / (safe * safe) * np.pi)
        return g * d.astype(g.dtype)

    return _unary("sinc", x, lambda xp, a: xp.sinc(_f(xp, a)), grad)


def _f(xp, a):
    a = xp.asarray(a)
    return a if a.dtype.kind == "f" else a.astype(config.floatx())


def deg2rad(x):
    """Degrees to radians.

    Example:
        >>> ops.deg2rad(np.array([180.0]))
        array([3.14159265])
    """
    return composite("deg2rad", lambda x: knp.multiply(_as_float(x), np.pi / 180.0), (x,))


def rad2deg(x):
    """Radians to degrees.

    Example:
        >>> ops.rad2deg(np.array([np.pi]))
        array([180.])
    """
    return composite("rad2deg", lambda x: knp.multiply(_as_float(x), 180.0 / np.pi), (x,))


def _as_float(x):
    return x if knp.convert_to_tensor(x).dtype.kind == "f" else knp.cast(x, config.floatx())


def logaddexp2(x1, x2):
    """`log2(2**x1 + 2**x2)`, computed stably.

    Example:
        >>> ops.logaddexp2(np.array([1.0]), np.array([1.0]))
        array([2.])
    """
    ln2 = float(np.log(2.0))
    return composite("logaddexp2", lambda a, b: knp.divide(
        logaddexp(knp.multiply(a, ln2), knp.multiply(b, ln2)), ln2), (x1, x2))


def heaviside(x1, x2):
    """The Heaviside step: 0 for x1 < 0, x2 at 0, 1 for x1 > 0 (the gradient reaches x2
    where x1 is 0).

    Example:
        >>> ops.heaviside(np.array([-1.0, 0.0, 2.0]), 0.5)
        array([0. , 0.5, 1. ])
    """
    def run(a, b):
        at0 = knp.equal(a, 0)
        step = knp.cast(knp.greater(a, 0), knp.convert_to_tensor(a).dtype if
                        knp.convert_to_tensor(a).dtype.kind == "f" else config.floatx())
        return knp.where(at0, knp.add(knp.zeros_like(step), b), step)

    return composite("heaviside", run, (x1, x2))


def fmax(x1, x2):
    """Elementwise maximum that ignores a NaN (NaN only where both are).

    Example:
        >>> ops.fmax(np.array([1.0, np.nan]), np.array([np.nan, 2.0]))
        array([1., 2.])
    """
    return _binary("fmax", x1, x2, lambda xp, a, b: xp.fmax(a, b),
                   lambda xp, g, a, b, y: g * (y == a).astype(g.dtype)
                   * xp.where(a == b, 0.5, 1.0).astype(g.dtype),
                   lambda xp, g, a, b, y: g * (y == b).astype(g.dtype)
                   * xp.where(a == b, 0.5, 1.0).astype(g.dtype))


def fmin(x1, x2):
    """Elementwise minimum that ignores a NaN (NaN only where both are).

    Example:
        >>> ops.fmin(np.array([1.0, np.nan]), np.array([np.nan, 2.0]))
        array([1., 2.])
    """
    return _binary("fmin", x1, x2, lambda xp, a, b: xp.fmin(a, b),
                   lambda xp, g, a, b, y: g * (y == a).astype(g.dtype)
                   * xp.where(a == b, 0.5, 1.0).astype(g.dtype),
                   lambda xp, g, a, b, y: g * (y == b).astype(g.dtype)
                   * xp.where(a == b, 0.5, 1.0).astype(g.dtype))


def fliplr(x):
    """Reverse the second axis.

    Example:
        >>> ops.fliplr(np.array([[1.0, 2.0]]))
        array([[2., 1.]])
    """
    if len(knp.shape(x)) < 2:
        raise ValueError(f"`fliplr` needs a tensor of rank >= 2. Received: x.shape={knp.shape(x)}")
    return composite("fliplr", lambda x: flip(x, 1), (x,))


def flipud(x):
    """Reverse the first axis.

    Example:
        >>> ops.flipud(np.array([1.0, 2.0]))
        array([2., 1.])
    """
    if len(knp.shape(x)) < 1:
        raise ValueError(f"`flipud` needs a tensor of rank >= 1. Received: x.shape={knp.shape(x)}")
    return composite("flipud", lambda x: flip(x, 0), (x,))


def array_split(x, indices_or_sections, axis=0):
    """Split x into `indices_or_sections` nearly equal parts (the first ones one longer),
    or at the given indices.

    Example:
        >>> [p.shape for p in ops.array_split(np.zeros(5), 2)]
        [(3,), (2,)]
    """
    def run(x):
        if isinstance(indices_or_sections, (list, tuple)):
            return split(x, list(indices_or_sections), axis=axis)
        n, parts = knp.shape(x)[axis], int(indices_or_sections)
        if parts < 1:
            raise ValueError(f"`indices_or_sections` must be >= 1. "
                             f"Received: indices_or_sections={indices_or_sections}")
        size, extra = divmod(n, parts)
        cuts = np.cumsum([size + 1] * extra + [size] * (parts - extra))[:-1]
        return split(x, [int(c) for c in cuts], axis=axis)

    return composite("array_split", run, (x,),
                     {"indices_or_sections": indices_or_sections, "axis": axis})


def hsplit(x, indices_or_sections):
    """`split` along axis 1 (axis 0 for 1-D x).

    Example:
        >>> [p.shape for p in ops.hsplit(np.zeros((2, 4)), 2)]
        [(2, 2), (2, 2)]
    """
    ax = 0 if len(knp.shape(x)) == 1 else 1
    return composite("hsplit", lambda x: split(x, indices_or_sections, axis=ax), (x,),
                     {"indices_or_sections": indices_or_sections})


def vsplit(x, indices_or_sections):
    """`split` along axis 0.

    Example:
        >>> [p.shape for p in ops.vsplit(np.zeros((4, 2)), 2)]
        [(2, 2), (2, 2)]
    """
    return composite("vsplit", lambda x: split(x, indices_or_sections, axis=0), (x,),
                     {"indices_or_sections": indices_or_sections})


def dsplit(x, indices_or_sections):
    """`split` along axis 2.

    Example:
        >>> [p.shape for p in ops.dsplit(np.zeros((1, 2, 4)), 2)]
        [(1, 2, 2), (1, 2, 2)]
    """
    return composite("dsplit", lambda x: split(x, indices_or_sections, axis=2), (x,),
                     {"indices_or_sections": indices_or_sections})


# -- no gradient ------------------------------------------------------------------------

def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """`num` numbers spaced evenly on a log scale: `base ** linspace(start, stop)`.

    Example:
        >>> ops.logspace(0.0, 2.0, num=3)
        array([  1.,  10., 100.], dtype=float32)
    """
    out = np.logspace(start, stop, num=num, endpoint=endpoint, base=base, axis=axis)
    return _device.xp.asarray(out, dtype=dtype or config.floatx())


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """`num` numbers in a geometric progression from start to stop.

    Example:
        >>> ops.geomspace(1.0, 100.0, num=3)
        array([  1.,  10., 100.], dtype=float32)
    """
    out = np.geomspace(start, stop, num=num, endpoint=endpoint, axis=axis)
    return _device.xp.asarray(out, dtype=dtype or config.floatx())


def empty(shape, dtype=None):
    """A tensor of `shape` (filled with zeros here: there is no uninitialized memory).

    Example:
        >>> ops.empty((2,)).shape
        (2,)
    """
    return _device.xp.zeros(shape, dtype=dtype or config.floatx())


def empty_like(x, dtype=None):
    """A tensor of x's shape and dtype (filled with zeros).

    Example:
        >>> ops.empty_like(np.ones(2, "int32")).dtype
        dtype('int32')
    """
    return op("empty_like", lambda xp, a: xp.zeros(np.shape(a), dtype=dtype or
                                                   xp.asarray(a).dtype), (x,),
              config={"dtype": dtype})


def searchsorted(sorted_sequence, values, side="left"):
    """Where to insert `values` in the 1-D `sorted_sequence` to keep it sorted.

    Args:
        sorted_sequence: a sorted 1-D tensor.
        values: the values to place.
        side: 'left' (the first valid index) or 'right' (the last).

    Example:
        >>> ops.searchsorted(np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.5]))
        array([1, 2])
    """
    if len(knp.shape(sorted_sequence)) != 1:
        raise ValueError("`searchsorted` only supports 1-D sorted sequences. "
                         f"Received: sorted_sequence.shape={knp.shape(sorted_sequence)}")
    if side not in ("left", "right"):
        raise ValueError(f"`side` must be 'left' or 'right'. Received: side={side!r}")
    return op("searchsorted", lambda xp, s, v: xp.searchsorted(s, v, side=side).astype(
        np.int32), (sorted_sequence, values), config={"side": side})


def digitize(x, bins):
    """The index of the bin of each entry of x (`bins` increasing: i with
    bins[i-1] <= x < bins[i]).

    Example:
        >>> ops.digitize(np.array([0.5, 1.5, 3.0]), np.array([1.0, 2.0]))
        array([0, 1, 2], dtype=int32)
    """
    return op("digitize", lambda xp, a, b: xp.digitize(a, b).astype(np.int32), (x, bins))


def bincount(x, weights=None, minlength=0, sparse=False):
    """Count each non-negative integer of x (summing `weights` instead when given); a 2-D
    x is counted row by row.

    Args:
        x: an integer tensor, 1-D or 2-D.
        weights: weights of x's shape.
        minlength: the smallest length of the result.
        sparse: not supported (there are no sparse tensors here).

    Example:
        >>> ops.bincount(np.array([0, 1, 1, 3]))
        array([1, 2, 0, 1])
    """
    if sparse:
        raise ValueError("nbkeras has no sparse tensors. Received: sparse=True")
    a = _device.to_numpy(unwrap(x))
    if a.dtype.kind not in "iu" or a.ndim not in (1, 2):
        raise ValueError("`bincount` takes a 1-D or 2-D integer tensor. "
                         f"Received: x.dtype={a.dtype}, x.shape={a.shape}")
    if a.size and a.min() < 0:
        raise ValueError(f"`bincount` counts non-negative integers. Received: x.min()={a.min()}")
    n = max(int(a.max()) + 1 if a.size else 0, int(minlength))

    def forward(xp, a, *w):
        a = xp.asarray(a)
        w = xp.asarray(w[0]) if w else None
        dt = np.int32 if w is None else w.dtype
        if a.ndim == 1:
            return xp.bincount(a, weights=w, minlength=n).astype(dt)
        return xp.stack([xp.bincount(r, weights=None if w is None else w[i], minlength=n)
                         for i, r in enumerate(a)]).astype(dt)

    def backward(xp, g, needs, arrays, out):
        a = arrays[0]
        return (None, xp.take_along_axis(g, a, axis=-1) if a.ndim == 2 else g[a])

    inputs = (x,) if weights is None else (x, weights)
    return op("bincount", forward, inputs, backward if weights is not None else None,
              {"minlength": minlength, "sparse": sparse})


def histogram(x, bins=10, range=None):
    """The histogram of the 1-D x: `(counts, bin_edges)` over `bins` equal bins of
    `range` (default: x's min to max).

    Example:
        >>> ops.histogram(np.array([0.0, 1.0, 1.0, 2.0], "float32"), bins=2)
        (array([1., 3.], dtype=float32), array([0., 1., 2.], dtype=float32))
    """
    a = _device.to_numpy(unwrap(x))
    if a.ndim != 1:
        raise ValueError(f"`histogram` takes a 1-D tensor. Received: x.shape={a.shape}")
    if not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ValueError(f"`bins` must be a positive integer. Received: bins={bins!r}")
    counts, edges = np.histogram(a, bins=bins, range=range)
    dt = a.dtype if a.dtype.kind == "f" else config.floatx()
    return _device.xp.asarray(counts.astype(dt)), _device.xp.asarray(edges.astype(dt))


def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):
    """The unique entries of x (sorted), with the first indices, the inverse map and the
    counts when asked; eager only (the result's shape depends on the values).

    Args:
        x: the tensor.
        sorted: kept for Keras's signature (the result is always sorted).
        return_index, return_inverse, return_counts: also return these.
        axis: unique slices along this axis (None: of the flattened x).
        size: pad (with `fill_value`, default the smallest unique value) or cut the result
            to this length, as JAX does.
        fill_value: the padding value.

    Example:
        >>> ops.unique(np.array([3, 1, 3, 2]))
        array([1, 2, 3])
    """
    if _sym(x):
        raise ValueError("`unique` has a value-dependent shape, so it runs eagerly only. "
                         f"Received: a symbolic x={x!r}")
    a = _device.to_numpy(unwrap(x))
    res = np.unique(a, return_index=return_index, return_inverse=return_inverse,
                    return_counts=return_counts, axis=axis)
    res = list(res) if isinstance(res, tuple) else [res]
    if size is not None:
        vals = res[0]
        fill = vals.min(axis=axis if axis is not None else None) if fill_value is None \
            and vals.size else (0 if fill_value is None else fill_value)
        ax = 0 if axis is None else axis
        n = vals.shape[ax]
        if n >= size:
            res[0] = np.take(vals, np.arange(size), axis=ax)
        else:
            pad_shape = list(vals.shape)
            pad_shape[ax] = size - n
            res[0] = np.concatenate([vals, np.full(pad_shape, fill, vals.dtype)], axis=ax)
        k = 1
        if return_index:
            res[k] = np.resize(res[k], size) if res[k].size >= size else np.concatenate(
                [res[k], np.zeros(size - res[k].size, res[k].dtype)])
            k += 1
        if return_inverse:
            k += 1
        if return_counts:
            res[k] = res[k][:size] if res[k].size >= size else np.concatenate(
                [res[k], np.zeros(size - res[k].size, res[k].dtype)])
    out = [_device.xp.asarray(r) for r in res]
    return out[0] if len(out) == 1 else tuple(out)


def isin(x1, x2, assume_unique=False, invert=False):
    """Whether each entry of x1 is among x2's entries (bool).

    Example:
        >>> ops.isin(np.array([1, 2, 3]), np.array([2, 5]))
        array([False,  True, False])
    """
    return op("isin", lambda xp, a, b: xp.isin(a, b, assume_unique=assume_unique,
                                               invert=invert), (x1, x2),
              config={"assume_unique": assume_unique, "invert": invert})


def argpartition(x, kth, axis=-1):
    """Indices that partition x along `axis` around its `kth` smallest entry (that entry
    at position kth, smaller ones before it, larger ones after; no gradient).

    Example:
        >>> ops.argpartition(np.array([3.0, 1.0, 2.0]), 1)[1]
        2
    """
    def forward(xp, a):
        a = xp.asarray(a)
        if axis is None:
            return xp.argpartition(a.reshape(-1), kth, axis=0).astype(np.int32)
        return xp.argpartition(a, kth, axis=axis).astype(np.int32)

    return op("argpartition", forward, (x,), config={"kth": kth, "axis": axis})


def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Whether all entries are close: `|x1 - x2| <= atol + rtol * |x2|` (a bool scalar).

    Example:
        >>> ops.allclose(np.array([1.0]), np.array([1.0 + 1e-9]))
        array(True)
    """
    return op("allclose", lambda xp, a, b: xp.asarray(xp.allclose(
        a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)), (x1, x2),
        config={"rtol": rtol, "atol": atol, "equal_nan": equal_nan})


def isneginf(x):
    """Whether each entry is -inf.

    Example:
        >>> ops.isneginf(np.array([-np.inf, 1.0]))
        array([ True, False])
    """
    return op("isneginf", lambda xp, a: xp.isneginf(xp.asarray(a)), (x,))


def isposinf(x):
    """Whether each entry is +inf.

    Example:
        >>> ops.isposinf(np.array([np.inf, 1.0]))
        array([ True, False])
    """
    return op("isposinf", lambda xp, a: xp.isposinf(xp.asarray(a)), (x,))


def signbit(x):
    """Whether each entry's sign bit is set (True for -0.0 too).

    Example:
        >>> ops.signbit(np.array([-1.0, 0.0, -0.0]))
        array([ True, False,  True])
    """
    return op("signbit", lambda xp, a: xp.signbit(xp.asarray(a)), (x,))


def fmod(x1, x2):
    """The remainder of the division truncated towards zero (C's fmod; the sign of x1).

    Example:
        >>> ops.fmod(np.array([-3.0, 3.0]), 2.0)
        array([-1.,  1.])
    """
    return op("fmod", lambda xp, a, b: xp.fmod(a, b), (x1, x2))


def gcd(x1, x2):
    """The elementwise greatest common divisor of integers.

    Example:
        >>> ops.gcd(np.array([12, 9]), np.array([8, 6]))
        array([4, 3])
    """
    return op("gcd", lambda xp, a, b: xp.gcd(a, b), (x1, x2))


def lcm(x1, x2):
    """The elementwise least common multiple of integers.

    Example:
        >>> ops.lcm(np.array([4, 3]), np.array([6, 5]))
        array([12, 15])
    """
    return op("lcm", lambda xp, a, b: xp.lcm(a, b), (x1, x2))


def unravel_index(indices, shape):
    """Flat indices to a tuple of coordinate arrays for an array of `shape`.

    Example:
        >>> ops.unravel_index(np.array([5]), (2, 3))
        (array([1]), array([2]))
    """
    idx = _device.to_numpy(unwrap(indices))
    return tuple(_device.xp.asarray(i) for i in np.unravel_index(idx, tuple(shape)))
