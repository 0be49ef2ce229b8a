"""Keras 3's remaining small ops: `get_item`, `is_tensor`, `dtype`, `saturate_cast`,
`switch`, `vectorized_map` / `vectorize` (run eagerly, one entry at a time, stacked),
`multi_hot`, `depth_to_space` / `space_to_depth`, `ldexp`, `nextafter`, `erfinv`, `i0`,
and, for complex NumPy arrays, `real`, `imag`, `conj` / `conjugate`, `angle`, `isreal`.

`saturate_cast` (between floats), `vectorized_map`, `vectorize`, `depth_to_space`,
`space_to_depth`, `ldexp` (in x1) and `erfinv` are differentiable.

Example:
    >>> ops.depth_to_space(np.arange(8.0).reshape(1, 1, 2, 4), 2).shape
    (1, 2, 4, 1)
"""

import numpy as np

from nbkeras import config
from nbkeras.backend import active as _device
from nbkeras.ops import numpy as knp
from nbkeras.ops.array import broadcast_to
from nbkeras.ops.core import Tensor, composite, op, unwrap
from nbkeras.ops.math import _erf
from nbkeras.ops.numpy import _unary, getitem

__all__ = ["angle", "associative_scan", "conj", "conjugate", "depth_to_space", "dtype",
           "erfinv", "fabs", "get_item", "i0", "imag", "is_tensor", "isreal", "ldexp",
           "multi_hot", "nextafter", "polar", "real", "saturate_cast", "space_to_depth",
           "switch", "vectorize", "vectorized_map", "view", "view_as_complex", "view_as_real"]


def get_item(x, key):
    """`x[key]` (Keras's name for indexing; differentiable).

    Example:
        >>> ops.get_item(np.arange(4.0), 2)
        array(2.)
    """
    return getitem(x, key)


def is_tensor(x):
    """Whether x is a tensor of this backend (a NumPy / device array or a Tensor).

    Example:
        >>> ops.is_tensor(np.ones(2)), ops.is_tensor([1.0])
        (True, False)
    """
    return isinstance(x, (Tensor, np.ndarray, _device.xp.ndarray)) or \
        getattr(x, "_keras_symbolic", False)


def dtype(x):
    """x's dtype as Keras's standardized string ('float32', 'int64', 'bool', ...).

    Example:
        >>> ops.dtype(np.ones(2, "float32"))
        'float32'
    """
    d = getattr(x, "dtype", None)
    if d is None:
        d = np.asarray(x).dtype
    return str(np.dtype(d)) if not isinstance(d, str) else d


def saturate_cast(x, dtype):
    """Cast to `dtype`, first clipping to its range (no integer wrap-around).

    Args:
        x: the tensor.
        dtype: the target dtype.

    Example:
        >>> ops.saturate_cast(np.array([-1.0, 300.0]), "uint8")
        array([  0, 255], dtype=uint8)
    """
    target = np.dtype(dtype)

    def limits(d):
        if d.kind == "b":
            return 0, 1
        info = np.iinfo(d) if d.kind in "iu" else np.finfo(d)
        return info.min, info.max

    def run(x):
        src = np.dtype(knp.convert_to_tensor(x).dtype)
        lo, hi = limits(target)
        slo, shi = limits(src)
        lo, hi = max(lo, slo), min(hi, shi)
        if src.kind == "f" and target.kind in "iu":
            # clip in float64, where every int32 bound is exact (float32 rounds 2**31 - 1 up)
            x, src = knp.cast(x, "float64"), np.dtype(np.float64)
        return knp.cast(knp.clip(x, np.asarray(lo, src), np.asarray(hi, src)), target)

    return composite("saturate_cast", run, (x,), {"dtype": target.name})


def switch(index, branches, *operands):
    """Call `branches[index](*operands)` (index clamped to the valid range, as Keras).

    Example:
        >>> ops.switch(1, [lambda x: x + 1, lambda x: x * 10], 2.0)
        20.0
    """
    if not branches:
        raise ValueError(f"`branches` must hold at least one function. Received: "
                         f"branches={branches!r}")
    i = int(_device.to_numpy(unwrap(index)))
    return branches[min(max(i, 0), len(branches) - 1)](*operands)


def _stack_results(results):
    first = results[0]
    if isinstance(first, (tuple, list)):
        return type(first)(_stack_results([r[i] for r in results]) for i in range(len(first)))
    if isinstance(first, dict):
        return {k: _stack_results([r[k] for r in results]) for k in first}
    return knp.stack(results, axis=0)


def _unstack_tree(elements):
    if isinstance(elements, (tuple, list)):
        parts = [_unstack_tree(e) for e in elements]
        return [type(elements)(p[i] for p in parts) for i in range(len(parts[0]))]
    if isinstance(elements, dict):
        keys = list(elements)
        parts = [_unstack_tree(elements[k]) for k in keys]
        return [dict(zip(keys, (p[i] for p in parts))) for i in range(len(parts[0]))]
    n = knp.shape(elements)[0]
    return [knp.getitem(elements, i) for i in range(n)]


def vectorized_map(function, elements):
    """`function` applied to each entry of `elements` along the first axis, the results
    stacked (run eagerly, entry by entry; gradients flow through every call).

    Args:
        function: takes one entry (a tensor, or the same nesting as `elements`).
        elements: a tensor, or a tuple / list / dict of tensors sharing the first axis.

    Example:
        >>> ops.vectorized_map(lambda r: ops.sum(r * r), np.array([[1.0, 2.0], [3.0, 4.0]]))
        array([ 5., 25.])
    """
    return _stack_results([function(e) for e in _unstack_tree(elements)])


def vectorize(pyfunc, *, excluded=None, signature=None):
    """`pyfunc` made to run over every entry of its (broadcast) tensor arguments, as
    `np.vectorize` (with a `signature`, over the loop dimensions); results stacked.

    Args:
        pyfunc: the function of scalars (or of core-shaped tensors with `signature`).
        excluded: positions of arguments passed through unchanged.
        signature: a generalized-ufunc signature such as `"(m,n),(n)->(m)"`.

    Example:
        >>> ops.vectorize(lambda a, b: a + b)(np.array([1.0, 2.0]), 3.0)
        array([4., 5.])
    """
    excluded = set(excluded or ())
    cores = None
    if signature is not None:
        ins = signature.split("->")[0]
        cores = [len([d for d in part.strip("() ").split(",") if d.strip()])
                 for part in ins.replace(")(", ")|(").replace("),(", ")|(").split("|")]

    def wrapped(*args):
        idx = [i for i in range(len(args)) if i not in excluded]
        arrays = [knp.convert_to_tensor(args[i]) for i in idx]
        core = cores or [0] * len(arrays)
        loops = [knp.shape(a)[:knp.ndim(a) - c] for a, c in zip(arrays, core)]
        loop = np.broadcast_shapes(*loops)
        arrays = [a if knp.shape(a)[:len(l)] == loop else
                  broadcast_to(a, loop + knp.shape(a)[len(l):])
                  for a, l in zip(arrays, loops)]
        results = []
        for pos in np.ndindex(*loop):
            call = list(args)
            for j, i in enumerate(idx):
                call[i] = knp.getitem(arrays[j], pos) if pos else arrays[j]
            results.append(pyfunc(*call))
        if not loop:
            return results[0]
        out = _stack_results(results)
        return knp.reshape(out, loop + tuple(knp.shape(out)[1:])) if \
            not isinstance(out, (tuple, list, dict)) else out

    return wrapped


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """Multi-hot encode integer labels: 1 at every class present in each row.

    Args:
        inputs: integer labels, shape `(batch, labels)` or `(labels,)`.
        num_classes: the number of classes.
        axis: where the class axis goes.
        dtype: the result's dtype (default floatx).
        sparse: not supported (there are no sparse tensors here).

    Example:
        >>> ops.multi_hot(np.array([[0, 2], [1, 1]]), 3)
        array([[1., 0., 1.],
               [0., 1., 0.]], dtype=float32)
    """
    if num_classes is None:
        num_classes = kwargs.pop("num_tokens", None)
    if num_classes is None:
        raise ValueError("Argument `num_classes` must be specified. "
                         f"Received: num_classes={num_classes}")
    if sparse:
        raise ValueError("nbkeras has no sparse tensors. Received: sparse=True")
    dt = dtype or config.floatx()

    def forward(xp, x):
        idx = xp.asarray(x).astype(np.int64)
        red = 1 if idx.ndim > 1 else 0
        hot = (idx[..., None] == xp.arange(num_classes)).astype(dt)
        if axis != -1:
            hot = xp.moveaxis(hot, -1, axis)
        return hot.max(axis=red)  # Keras reduces axis 1 (axis 0 for 1-D labels)

    return op("multi_hot", forward, (inputs,),
              config={"num_classes": num_classes, "axis": axis, "dtype": dtype,
                      "sparse": sparse})


def depth_to_space(x, block_size, data_format="channels_last"):
    """Pixel shuffle: move depth into `block_size` x `block_size` spatial blocks.

    Example:
        >>> ops.depth_to_space(np.ones((1, 2, 2, 8)), 2).shape
        (1, 4, 4, 2)
    """
    b = int(block_size)

    def run(x):
        if data_format == "channels_last":
            n, h, w, c = knp.shape(x)
            y = knp.reshape(x, (-1, h, w, b, b, c // (b * b)))
            y = knp.transpose(y, (0, 1, 3, 2, 4, 5))
            return knp.reshape(y, (-1, h * b, w * b, c // (b * b)))
        n, c, h, w = knp.shape(x)
        y = knp.reshape(x, (-1, c // (b * b), b, b, h, w))
        y = knp.transpose(y, (0, 1, 4, 2, 5, 3))
        return knp.reshape(y, (-1, c // (b * b), h * b, w * b))

    return composite("depth_to_space", run, (x,),
                     {"block_size": block_size, "data_format": data_format})


def space_to_depth(x, block_size, data_format="channels_last"):
    """Pixel unshuffle: move `block_size` x `block_size` spatial blocks into depth.

    Example:
        >>> ops.space_to_depth(np.ones((1, 4, 4, 2)), 2).shape
        (1, 2, 2, 8)
    """
    b = int(block_size)

    def run(x):
        if data_format == "channels_last":
            n, h, w, c = knp.shape(x)
            y = knp.reshape(x, (-1, h // b, b, w // b, b, c))
            y = knp.transpose(y, (0, 1, 3, 2, 4, 5))
            return knp.reshape(y, (-1, h // b, w // b, c * b * b))
        n, c, h, w = knp.shape(x)
        y = knp.reshape(x, (-1, c, h // b, b, w // b, b))
        y = knp.transpose(y, (0, 1, 3, 5, 2, 4))
        return knp.reshape(y, (-1, c * b * b, h // b, w // b))

    return composite("space_to_depth", run, (x,),
                     {"block_size": block_size, "data_format": data_format})


def ldexp(x1, x2):
    """`x1 * 2 ** x2` for integer x2 (differentiable in x1).

    Example:
        >>> ops.ldexp(np.array([1.5]), np.array([3]))
        array([12.])
    """
    def backward(xp, g, needs, arrays, out):
        return (g * xp.exp2(xp.asarray(arrays[1], g.dtype)) if needs[0] else None, None)

    def forward(xp, a, b):
        a = xp.asarray(a)
        a = a if a.dtype.kind == "f" else a.astype(config.floatx())
        return xp.ldexp(a, xp.asarray(b).astype(np.int32))

    return op("ldexp", forward, (x1, x2), backward)


def nextafter(x1, x2):
    """The next representable float after x1 towards x2 (no gradient).

    Example:
        >>> float(ops.nextafter(np.float32(1.0), np.float32(2.0))) > 1.0
        True
    """
    return op("nextafter", lambda xp, a, b: xp.nextafter(a, b), (x1, x2))


def _erfinv(xp, a):
    a = xp.asarray(a)
    z = a.astype(np.float64)
    # Winitzki's approximation, then Newton steps on erf
    k = 0.147
    ln = xp.log(xp.maximum(1.0 - z * z, 1e-300))
    t = 2.0 / (np.pi * k) + ln / 2.0
    y = xp.sign(z) * xp.sqrt(xp.sqrt(t * t - ln / k) - t)
    for _ in range(3):
        err = _erf(xp, y) - z
        y = y - err / (2.0 / np.sqrt(np.pi) * xp.exp(-y * y))
    y = xp.where(z >= 1.0, np.inf, xp.where(z <= -1.0, -np.inf, y))
    y = xp.where(xp.abs(z) > 1.0, np.nan, y)
    return y.astype(a.dtype if a.dtype.kind == "f" else np.float32)


def erfinv(x):
    """The inverse error function, elementwise; its gradient is sqrt(pi)/2 exp(y^2).

    Example:
        >>> ops.erfinv(np.array([0.5]))
        array([0.47693628])
    """
    return _unary("erfinv", x, _erfinv,
                  lambda xp, g, a, y: g * (np.sqrt(np.pi) / 2 * xp.exp(y * y)).astype(g.dtype))


def i0(x):
    """The modified Bessel function of the first kind, order 0 (no gradient).

    Example:
        >>> ops.i0(np.array([0.0]))
        array([1.])
    """
    def forward(xp, a):
        a = xp.asarray(a)
        return xp.i0(a).astype(a.dtype if a.dtype.kind == "f" else config.floatx())

    return op("i0", forward, (x,))


def real(x):
    """The real part (x itself for real x).

    Example:
        >>> ops.real(np.array([1 + 2j]))
        array([1.])
    """
    return op("real", lambda xp, a: xp.real(xp.asarray(a)), (x,))


def imag(x):
    """The imaginary part (zeros for real x).

    Example:
        >>> ops.imag(np.array([1 + 2j]))
        array([2.])
    """
    return op("imag", lambda xp, a: xp.imag(xp.asarray(a)), (x,))


def conjugate(x):
    """The complex conjugate (x itself for real x).

    Example:
        >>> ops.conjugate(np.array([1 + 2j]))
        array([1.-2.j])
    """
    return op("conjugate", lambda xp, a: xp.conjugate(xp.asarray(a)), (x,))


def conj(x):
    """The complex conjugate (as `conjugate`).

    Example:
        >>> ops.conj(np.array([1 + 2j]))
        array([1.-2.j])
    """
    return op("conj", lambda xp, a: xp.conjugate(xp.asarray(a)), (x,))


def angle(x):
    """The complex argument (0 or pi for real x), in floatx for integer x.

    Example:
        >>> ops.angle(np.array([-1.0, 1j]))
        array([3.14159265, 1.57079633])
    """
    def forward(xp, a):
        a = xp.asarray(a)
        out = xp.angle(a)
        return out if a.dtype.kind in "fc" else out.astype(config.floatx())

    return op("angle", forward, (x,))


def isreal(x):
    """Whether each entry has a zero imaginary part.

    Example:
        >>> ops.isreal(np.array([1.0, 1j]))
        array([ True, False])
    """
    return op("isreal", lambda xp, a: xp.isreal(xp.asarray(a)), (x,))


def fabs(x):
    """Absolute values as floats (integers and booleans become floatx); differentiable.

    Example:
        >>> ops.fabs(np.array([-2, 3]))
        array([2., 3.], dtype=float32)
    """
    def value(xp, a):
        a = xp.asarray(a)
        return xp.abs(a if a.dtype.kind == "f" else a.astype(config.floatx()))

    return _unary("fabs", x, value, lambda xp, g, a, y: g * xp.sign(a).astype(g.dtype))


def view(x, dtype=None):
    """The same bytes seen as `dtype` (the last axis rescales by the itemsize ratio).

    Example:
        >>> ops.view(np.array([1.0], "float32"), "int32")
        array([1065353216], dtype=int32)
    """
    return op("view", lambda xp, a: xp.asarray(a).view(dtype) if dtype is not None else
              xp.asarray(a), (x,), config={"dtype": dtype})


def view_as_real(x):
    """A complex tensor as a real one with a last axis of (real, imag).

    Example:
        >>> ops.view_as_real(np.array([1 + 2j], "complex64"))
        array([[1., 2.]], dtype=float32)
    """
    def forward(xp, a):
        a = xp.asarray(a)
        if a.dtype.kind != "c":
            raise ValueError(f"`view_as_real` takes a complex tensor. Received: x.dtype={a.dtype}")
        return xp.stack([a.real, a.imag], axis=-1)

    return op("view_as_real", forward, (x,))


def view_as_complex(x):
    """A real tensor whose last axis is (real, imag) as a complex64 one.

    Example:
        >>> ops.view_as_complex(np.array([[1.0, 2.0]]))
        array([1.+2.j], dtype=complex64)
    """
    def forward(xp, a):
        a = xp.asarray(a)
        if a.ndim < 1 or a.shape[-1] != 2:
            raise ValueError("Input tensor's last dimension must be 2 (real and imaginary). "
                             f"Received: x.shape={a.shape}")
        return (a[..., 0] + 1j * a[..., 1]).astype(np.complex64)

    return op("view_as_complex", forward, (x,))


def polar(abs_, angle):
    """The complex numbers `abs_ * exp(1j * angle)`.

    Example:
        >>> ops.polar(np.array([2.0]), np.array([0.0]))
        array([2.+0.j], dtype=complex64)
    """
    def forward(xp, r, t):
        r, t = xp.asarray(r), xp.asarray(t)
        cdt = np.complex128 if np.result_type(r, t) == np.float64 else np.complex64
        return (r * xp.cos(t) + 1j * (r * xp.sin(t))).astype(cdt)

    return op("polar", forward, (abs_, angle))


def associative_scan(f, elems, reverse=False, axis=0):
    """The inclusive scan of `elems` along `axis` with the associative `f(a, b)` (run
    eagerly, left to right, or right to left when `reverse`); gradients flow through f.

    Args:
        f: an associative function of two entries (tensors or matching nestings).
        elems: a tensor, or a tuple / list / dict of tensors sharing `axis`'s length.
        reverse: scan from the end.
        axis: the scanned axis.

    Example:
        >>> ops.associative_scan(lambda a, b: a + b, np.array([1.0, 2.0, 3.0]))
        array([1., 3., 6.])
    """
    from nbkeras.ops.array import moveaxis

    def move(t, src, dst):
        if isinstance(t, (tuple, list)):
            return type(t)(move(e, src, dst) for e in t)
        if isinstance(t, dict):
            return {k: move(v, src, dst) for k, v in t.items()}
        return moveaxis(t, src, dst) if src != dst else t

    entries = _unstack_tree(move(elems, axis, 0))
    if reverse:
        entries = entries[::-1]
    acc, out = None, []
    for e in entries:
        acc = e if acc is None else (f(e, acc) if reverse else f(acc, e))
        out.append(acc)
    if reverse:
        out = out[::-1]
    return move(_stack_results(out), 0, axis)
