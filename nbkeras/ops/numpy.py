"""Differentiable NumPy-like ops with Keras 3 names (`keras.ops.add`, `keras.ops.sum`, ...).

Each op goes through `ops.core.op`: its forward and backward take the active
device's array namespace `xp`, and the entry point records them on the tape (and
handles symbolic inputs). Ops compose: gradients of composite code come for free.
"""

import numpy as np

from nbkeras import config
from nbkeras.backend import active as _device
from nbkeras.ops.core import Tensor, composite, op, unwrap


def unbroadcast(g, shape):
    """Sum `g` down to `shape`, undoing NumPy broadcasting."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def convert_to_tensor(x, dtype=None):
    """Return x as a NumPy array (tensors pass through unchanged when no dtype is asked)."""
    if isinstance(x, Tensor) or getattr(x, "_keras_symbolic", False):
        return x if dtype is None or np.dtype(x.dtype) == np.dtype(dtype) else cast(x, dtype)
    xp = _device.xp
    if dtype is None:
        arr = xp.asarray(x)
        if arr.dtype == np.float64 and not isinstance(x, xp.ndarray):
            arr = arr.astype(config.floatx())
        return arr
    return xp.asarray(x, dtype=dtype)


def convert_to_numpy(x):
    """Return x as a NumPy array (copied to the host from a device)."""
    if getattr(x, "_keras_symbolic", False):
        raise ValueError("A symbolic tensor (from `nbkeras.Input`) has no value to convert to "
                         f"NumPy; call the model on data instead. Received: x={x!r}")
    return _device.to_numpy(unwrap(x))


def stop_gradient(x):
    """Return x's value with no gradient flowing back."""
    return unwrap(x)


def _binary(name, x1, x2, value, grad1, grad2, config=None):
    """A broadcasting binary op: `value(xp, a, b)`, `gradK(xp, g, a, b, out)`."""

    def backward(xp, g, needs, arrays, out):
        a, b = arrays
        return (
            unbroadcast(grad1(xp, g, a, b, out), np.shape(a)) if needs[0] else None,
            unbroadcast(grad2(xp, g, a, b, out), np.shape(b)) if needs[1] else None,
        )

    return op(name, value, (x1, x2), backward, config)


def add(x1, x2):
    """Elementwise x1 + x2, with broadcasting."""
    return _binary("add", x1, x2, lambda xp, a, b: xp.add(a, b),
                   lambda xp, g, a, b, y: g, lambda xp, g, a, b, y: g)


def subtract(x1, x2):
    """Elementwise x1 - x2, with broadcasting."""
    return _binary("subtract", x1, x2, lambda xp, a, b: xp.subtract(a, b),
                   lambda xp, g, a, b, y: g, lambda xp, g, a, b, y: -g)


def multiply(x1, x2):
    """Elementwise x1 * x2, with broadcasting."""
    return _binary("multiply", x1, x2, lambda xp, a, b: xp.multiply(a, b),
                   lambda xp, g, a, b, y: g * b, lambda xp, g, a, b, y: g * a)


def _divide_grad2(xp, g, a, b, y):
    return -g * y / b


def divide(x1, x2):
    """Elementwise x1 / x2, with broadcasting."""
    return _binary("divide", x1, x2, lambda xp, a, b: xp.true_divide(a, b),
                   lambda xp, g, a, b, y: g / b, _divide_grad2)


def true_divide(x1, x2):
    """Elementwise x1 / x2 (the op behind `/` on tensors), with broadcasting."""
    return _binary("true_divide", x1, x2, lambda xp, a, b: xp.true_divide(a, b),
                   lambda xp, g, a, b, y: g / b, _divide_grad2)


def divide_no_nan(x1, x2):
    """Elementwise x1 / x2, giving 0 where x2 is 0."""
    def run(x1, x2):
        return _divide_no_nan(x1, x2)

    return composite("divide_no_nan", run, (x1, x2), None)


def _divide_no_nan(x1, x2):
    zero = equal(x2, 0)
    return where(zero, 0.0, divide(x1, where(zero, 1.0, x2)))


def power(x1, x2):
    """Elementwise x1 ** x2."""
    return _binary(
        "power", x1, x2, lambda xp, a, b: xp.power(a, b),
        lambda xp, g, a, b, y: g * b * xp.power(a, b - 1),
        lambda xp, g, a, b, y: g * y * xp.log(xp.where(a > 0, a, 1)),
    )


def maximum(x1, x2):
    """Elementwise maximum; ties split the gradient in half."""
    return _binary(
        "maximum", x1, x2, lambda xp, a, b: xp.maximum(a, b),
        lambda xp, g, a, b, y: g * ((a > b) + 0.5 * (a == b)).astype(g.dtype),
        lambda xp, g, a, b, y: g * ((b > a) + 0.5 * (a == b)).astype(g.dtype),
    )


def minimum(x1, x2):
    """Elementwise minimum; ties split the gradient in half."""
    return _binary(
        "minimum", x1, x2, lambda xp, a, b: xp.minimum(a, b),
        lambda xp, g, a, b, y: g * ((a < b) + 0.5 * (a == b)).astype(g.dtype),
        lambda xp, g, a, b, y: g * ((b < a) + 0.5 * (a == b)).astype(g.dtype),
    )


def _unary(name, x, value, grad, config=None):
    """An elementwise op: `value(xp, a)`, `grad(xp, g, a, out)`."""
    return op(name, value, (x,),
              lambda xp, g, needs, arrays, out: (grad(xp, g, arrays[0], out),), config)


def negative(x):
    """Elementwise -x."""
    return _unary("negative", x, lambda xp, a: xp.negative(a), lambda xp, g, a, y: -g)


def exp(x):
    """Elementwise e ** x."""
    return _unary("exp", x, lambda xp, a: xp.exp(a), lambda xp, g, a, y: g * y)


def expm1(x):
    """Elementwise e ** x - 1."""
    return _unary("expm1", x, lambda xp, a: xp.expm1(a), lambda xp, g, a, y: g * (y + 1))


def log(x):
    """Elementwise natural logarithm."""
    return _unary("log", x, lambda xp, a: xp.log(a), lambda xp, g, a, y: g / a)


def log1p(x):
    """Elementwise log(1 + x)."""
    return _unary("log1p", x, lambda xp, a: xp.log1p(a), lambda xp, g, a, y: g / (1 + a))


def sqrt(x):
    """Elementwise square root."""
    return _unary("sqrt", x, lambda xp, a: xp.sqrt(a), lambda xp, g, a, y: g * 0.5 / y)


def square(x):
    """Elementwise x ** 2."""
    return _unary("square", x, lambda xp, a: xp.square(a), lambda xp, g, a, y: g * 2 * a)


def abs(x):
    """Elementwise absolute value."""
    return _unary("absolute", x, lambda xp, a: xp.abs(a), lambda xp, g, a, y: g * xp.sign(a))


absolute = abs


def sin(x):
    """Elementwise sine."""
    return _unary("sin", x, lambda xp, a: xp.sin(a), lambda xp, g, a, y: g * xp.cos(a))


def cos(x):
    """Elementwise cosine."""
    return _unary("cos", x, lambda xp, a: xp.cos(a), lambda xp, g, a, y: -g * xp.sin(a))


def sign(x):
    """Elementwise sign (no gradient)."""
    return op("sign", lambda xp, a: xp.sign(a), (x,))


def clip(x, x_min, x_max):
    """Clip values to [x_min, x_max]; the gradient is zero outside."""
    return _unary(
        "clip", x,
        lambda xp, a: xp.clip(a, x_min, x_max),
        lambda xp, g, a, y: g * ((a >= x_min) & (a <= x_max)),
        {"x_min": x_min, "x_max": x_max},
    )


def cast(x, dtype):
    """Cast to `dtype`; gradients flow back through float casts."""
    dtype = np.dtype(dtype)
    a = unwrap(x)
    if isinstance(a, _device.xp.ndarray) and a.dtype == dtype:
        return x
    src = getattr(a, "dtype", None)
    src = np.asarray(a).dtype if src is None else np.dtype(src)

    def backward(xp, g, needs, arrays, out):
        return (g.astype(src),)

    differentiable = np.issubdtype(dtype, np.floating) and np.issubdtype(src, np.floating)
    return op("cast", lambda xp, a: xp.asarray(a).astype(dtype), (x,),
              backward if differentiable else None, {"dtype": dtype.name})


def _axis_arg(axis):
    """Keras accepts axes as lists; NumPy wants tuples."""
    return tuple(axis) if isinstance(axis, list) else axis


def _norm_axis(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        axis = (axis,)
    return tuple(a % ndim for a in axis) if ndim else ()


def _expand_reduced(xp, g, axis, ndim, keepdims):
    if keepdims or ndim == 0:
        return g
    return xp.expand_dims(g, _norm_axis(axis, ndim))


def _spread(xp, g, axis, shape, ndim, keepdims, scale=None):
    """Broadcast the gradient of a reduction back to the input's shape."""
    if axis is None and np.ndim(g) == 0 or np.size(g) == 1:
        value = g.reshape(()) if hasattr(g, "reshape") else g
        if scale is not None:
            value = value / scale
        return xp.full(shape, value, dtype=getattr(g, "dtype", None))
    g = _expand_reduced(xp, g, axis, ndim, keepdims)
    if scale is not None:
        g = g / xp.asarray(scale, g.dtype)
    return xp.broadcast_to(g, shape)


def _reduction(name, x, axis, keepdims, value, backward, **config):
    """A reduction over `axis`: `value(xp, a, axis, keepdims)`, then
    `backward(xp, g, a, out, axis, keepdims)` returning the input's gradient."""
    axis = _axis_arg(axis)
    return op(name, lambda xp, a: xp.asarray(value(xp, xp.asarray(a), axis, keepdims)), (x,),
              lambda xp, g, needs, arrays, out: (
                  backward(xp, g, xp.asarray(arrays[0]), out, axis, keepdims),),
              {"axis": axis, "keepdims": keepdims, **config})


def sum(x, axis=None, keepdims=False):
    """Sum over `axis` (all axes when None)."""
    return _reduction(
        "sum", x, axis, keepdims, lambda xp, a, ax, kd: xp.sum(a, axis=ax, keepdims=kd),
        lambda xp, g, a, y, ax, kd: _spread(xp, g, ax, a.shape, a.ndim, kd))


def mean(x, axis=None, keepdims=False):
    """Mean over `axis` (all axes when None)."""
    def backward(xp, g, a, y, ax, kd):
        count = a.size // y.size if y.size else 1
        return _spread(xp, g, ax, a.shape, a.ndim, kd, count)

    return _reduction("mean", x, axis, keepdims, _mean_value, backward)


def _mean_value(xp, a, axis, keepdims):
    """`xp.mean(a, axis, keepdims)`; a loss's mean of a float32/float64 NumPy array over
    every axis takes the steps of NumPy's own `_mean` without its wrappers: the sum, the
    division by the count in float64 (NumPy promotes the sum and its intp count to
    float64; Python's float divided by an int is that same division), the cast back."""
    if (xp is np and axis is None and not keepdims and type(a) is np.ndarray and a.size
            and a.dtype in _MEAN_DTYPES):
        total = np.add.reduce(a, None)
        return total.dtype.type(float(total) / a.size)
    return xp.mean(a, axis=axis, keepdims=keepdims)


_MEAN_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _chooser_backward(xp, g, a, y, axis, keepdims):
    y = _expand_reduced(xp, y, axis, a.ndim, keepdims)
    mask = (a == y).astype(g.dtype)
    mask /= xp.sum(mask, axis=axis, keepdims=True)
    return mask * _expand_reduced(xp, g, axis, a.ndim, keepdims)


def max(x, axis=None, keepdims=False, initial=None):
    """Maximum over `axis`; tied maxima share the gradient."""
    return _reduction("max", x, axis, keepdims,
                      lambda xp, a, ax, kd: xp.max(a, axis=ax, keepdims=kd), _chooser_backward,
                      initial=initial)


def min(x, axis=None, keepdims=False, initial=None):
    """Minimum over `axis`; tied minima share the gradient."""
    return _reduction("min", x, axis, keepdims,
                      lambda xp, a, ax, kd: xp.min(a, axis=ax, keepdims=kd), _chooser_backward,
                      initial=initial)


amax = max
amin = min


def prod(x, axis=None, keepdims=False):
    """Product over `axis`."""
    def backward(xp, g, a, y, ax, kd):
        y = _expand_reduced(xp, y, ax, a.ndim, kd)
        return _expand_reduced(xp, g, ax, a.ndim, kd) * y / a

    return _reduction("prod", x, axis, keepdims,
                      lambda xp, a, ax, kd: xp.prod(a, axis=ax, keepdims=kd), backward)


def var(x, axis=None, keepdims=False):
    """Biased variance over `axis`."""
    def run(x):
        return _var(x, axis, keepdims)

    return composite("var", run, (x,), {"axis": axis, "keepdims": keepdims})


def _var(x, axis=None, keepdims=False):
    axis = _axis_arg(axis)
    centered = subtract(x, mean(x, axis=axis, keepdims=True))
    return mean(square(centered), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    """Biased standard deviation over `axis`."""
    def run(x):
        return _std(x, axis, keepdims)

    return composite("std", run, (x,), {"axis": axis, "keepdims": keepdims})


def _std(x, axis=None, keepdims=False):
    axis = _axis_arg(axis)
    return sqrt(var(x, axis=axis, keepdims=keepdims))


def _logsumexp_full(xp, a, axis):
    m = xp.max(a, axis=axis, keepdims=True)
    m = xp.where(xp.isfinite(m), m, 0)
    return xp.log(xp.sum(xp.exp(a - m), axis=axis, keepdims=True)) + m


def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))) over `axis`, computed stably."""
    def value(xp, a, ax, kd):
        full = _logsumexp_full(xp, a, ax)
        return full if kd else xp.squeeze(full, axis=_norm_axis(ax, a.ndim))

    def backward(xp, g, a, y, ax, kd):
        full = _expand_reduced(xp, y, ax, a.ndim, kd)
        return _expand_reduced(xp, g, ax, a.ndim, kd) * xp.exp(a - full)

    return _reduction("logsumexp", x, axis, keepdims, value, backward)


def _matmul_backward(xp, g, needs, arrays, out):
    a, b = (xp.asarray(v) for v in arrays)
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    batch = xp.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    g2 = xp.reshape(g, batch + (a2.shape[-2], b2.shape[-1]))
    ga = gb = None
    if needs[0]:
        ga = unbroadcast(_device.matmul(g2, xp.swapaxes(b2, -1, -2)), a2.shape).reshape(a.shape)
    if needs[1]:
        gb = unbroadcast(_device.matmul(xp.swapaxes(a2, -1, -2), g2), b2.shape).reshape(b.shape)
    return ga, gb


def matmul(x1, x2):
    """Matrix product with NumPy's `matmul` semantics (batched, 1-D promotion)."""
    return op("matmul", lambda xp, a, b: _device.matmul(xp.asarray(a), xp.asarray(b)), (x1, x2),
              _matmul_backward)


def dot(x1, x2):
    """Dot product with NumPy's `dot` semantics for inputs of rank 2 or less."""
    def run(x1, x2):
        return _dot(x1, x2)

    return composite("dot", run, (x1, x2), None)


def _dot(x1, x2):
    if ndim(x1) == 0 or ndim(x2) == 0:
        return multiply(x1, x2)
    if ndim(x2) > 2:
        return tensordot(x1, x2, axes=([-1], [-2]))
    return matmul(x1, x2)


def tensordot(x1, x2, axes=2):
    """Tensor contraction over the given axes, as `np.tensordot`."""
    def run(x1, x2):
        return _tensordot(x1, x2, axes)

    return composite("tensordot", run, (x1, x2), {"axes": axes})


def _tensordot(x1, x2, axes=2):
    sa, sb = shape(x1), shape(x2)
    na, nb = len(sa), len(sb)
    if isinstance(axes, int):
        ax_a = list(range(na - axes, na))
        ax_b = list(range(axes))
    else:
        ax_a = [i % na for i in np.atleast_1d(axes[0])]
        ax_b = [i % nb for i in np.atleast_1d(axes[1])]
    free_a = [i for i in range(na) if i not in ax_a]
    free_b = [i for i in range(nb) if i not in ax_b]
    at = transpose(x1, free_a + ax_a)
    bt = transpose(x2, ax_b + free_b)
    k = int(np.prod([sa[i] for i in ax_a]))
    fa = [sa[i] for i in free_a]
    fb = [sb[i] for i in free_b]
    prod2 = matmul(reshape(at, (-1, k)), reshape(bt, (k, -1)))
    return reshape(prod2, fa + fb)


def reshape(x, newshape):
    """Return x with a new shape (one dimension may be -1)."""
    return op("reshape", lambda xp, a: xp.asarray(a).reshape(newshape), (x,),
              lambda xp, g, needs, arrays, out: (g.reshape(np.shape(arrays[0])),),
              {"newshape": newshape})


def transpose(x, axes=None):
    """Permute the axes (reverse them when `axes` is None)."""
    def backward(xp, g, needs, arrays, out):
        inv = None if axes is None else np.argsort([i % out.ndim for i in axes])
        return (xp.transpose(g, inv),)

    return op("transpose", lambda xp, a: xp.transpose(a, axes), (x,), backward, {"axes": axes})


def expand_dims(x, axis):
    """Insert a length-1 axis at `axis`."""
    def run(x):
        return _expand_dims(x, axis)

    return composite("expand_dims", run, (x,), {"axis": axis})


def _expand_dims(x, axis):
    s = list(shape(x))
    axes = sorted(a % (len(s) + len(np.atleast_1d(axis))) for a in np.atleast_1d(axis))
    for a in axes:
        s.insert(a, 1)
    return reshape(x, tuple(s))


def squeeze(x, axis=None):
    """Remove length-1 axes."""
    def run(x):
        return _squeeze(x, axis)

    return composite("squeeze", run, (x,), {"axis": axis})


def _squeeze(x, axis=None):
    s = shape(x)
    if axis is None:
        drop = {i for i, d in enumerate(s) if d == 1}
    else:
        drop = {int(a) % len(s) for a in np.atleast_1d(axis)}
        bad = [i for i in drop if s[i] != 1]
        if bad:
            raise ValueError("Cannot select an axis to squeeze out which has size not equal "
                             f"to one. Received: axis={axis!r} for a tensor of shape {s}")
    return reshape(x, tuple(d for i, d in enumerate(s) if i not in drop))


def concatenate(xs, axis=0):
    """Join tensors along an existing axis."""
    def forward(xp, *arrays):
        return xp.concatenate([xp.asarray(a) for a in arrays], axis=axis)

    def backward(xp, g, needs, arrays, out):
        bounds = np.cumsum([np.shape(a)[axis] for a in arrays])[:-1]
        return tuple(xp.split(g, bounds, axis=axis))

    return op("concatenate", forward, tuple(xs), backward, {"axis": axis})


def stack(xs, axis=0):
    """Join tensors along a new axis."""
    def backward(xp, g, needs, arrays, out):
        return tuple(xp.take(g, i, axis=axis) for i in range(len(arrays)))

    return op("stack", lambda xp, *arrays: xp.stack([xp.asarray(a) for a in arrays], axis=axis),
              tuple(xs), backward, {"axis": axis})


def where(condition, x1=None, x2=None):
    """Choose from x1 where `condition` holds and from x2 elsewhere."""
    if x1 is None and x2 is None:
        return op("where", lambda xp, c: xp.nonzero(xp.asarray(c).astype(bool)), (condition,))

    def backward(xp, g, needs, arrays, out):
        c = xp.asarray(arrays[0]).astype(bool)
        g1 = xp.where(c, g, 0).astype(g.dtype) if needs[1] else None
        g2 = xp.where(c, 0, g).astype(g.dtype) if needs[2] else None
        return (None, unbroadcast(g1, np.shape(arrays[1])) if needs[1] else None,
                unbroadcast(g2, np.shape(arrays[2])) if needs[2] else None)

    return op("where", lambda xp, c, a, b: xp.where(xp.asarray(c).astype(bool), a, b),
              (condition, x1, x2), backward)


def _basic_index(key):
    keys = key if isinstance(key, tuple) else (key,)
    return all(k is None or k is Ellipsis or isinstance(k, (int, slice, np.integer)) for k in keys)


def getitem(x, key):
    """x[key], with gradients scattered back (basic and advanced indexing)."""
    if isinstance(key, list) and any(k is None or k is Ellipsis or isinstance(k, slice)
                                     for k in key):
        key = tuple(key)  # a tuple key read back from a saved config
    if isinstance(key, Tensor):
        key = key.data
    elif isinstance(key, tuple):
        key = tuple(k.data if isinstance(k, Tensor) else k for k in key)
    basic = _basic_index(key)

    def backward(xp, g, needs, arrays, out):
        gx = xp.zeros(np.shape(arrays[0]), dtype=g.dtype)
        if basic:
            gx[key] = g
        else:
            xp.add.at(gx, key, g)
        return (gx,)

    return op("get_item", lambda xp, a: xp.asarray(xp.asarray(a)[key]), (x,), backward,
              {"key": key})


def take(x, indices, axis=None):
    """Gather entries along `axis` (the flattened array when None)."""
    def run(x, indices):
        return _take(x, indices, axis)

    return composite("take", run, (x, indices), {"axis": axis})


def _take(x, indices, axis=None):
    idx = _device.xp.asarray(unwrap(indices))  # host indices move to the device
    if axis is None:
        return getitem(reshape(x, (-1,)), idx)
    key = (slice(None),) * (axis % ndim(x)) + (idx,)
    return getitem(x, key)


def tile(x, repeats):
    """Repeat x along each axis (see `np.tile`)."""
    reps = tuple(np.atleast_1d(repeats))

    def backward(xp, g, needs, arrays, out):
        a_shape = np.shape(arrays[0])
        nd = out.ndim
        shape_a = (1,) * (nd - len(a_shape)) + tuple(a_shape)
        reps_full = (1,) * (nd - len(reps)) + reps
        split = []
        for r, s in zip(reps_full, shape_a):
            split.extend([r, s])
        return (g.reshape(split).sum(axis=tuple(range(0, 2 * nd, 2))).reshape(a_shape),)

    return op("tile", lambda xp, a: xp.tile(a, reps), (x,), backward, {"repeats": reps})


# Non-differentiable helpers with Keras names.
def shape(x):
    """The shape of x as a tuple: of a tensor, an array, a nested list or a symbolic input
    (whose unknown dimensions are None); the one shape helper the ops use.

    Args:
        x: a tensor, array, scalar, nested list or `keras.Input`.

    Example:
        >>> ops.shape(np.zeros((2, 3)))
        (2, 3)
    """
    x = unwrap(x)
    s = getattr(x, "shape", None)
    return tuple(np.shape(x) if s is None else s)


def ndim(x):
    """Return the number of dimensions."""
    return len(shape(x))


def argmax(x, axis=None, keepdims=False):
    """Index of the maximum along `axis`."""
    return op("argmax", lambda xp, a: xp.argmax(a, axis=axis, keepdims=keepdims), (x,),
              config={"axis": axis, "keepdims": keepdims})


def argmin(x, axis=None, keepdims=False):
    """Index of the minimum along `axis`."""
    return op("argmin", lambda xp, a: xp.argmin(a, axis=axis, keepdims=keepdims), (x,),
              config={"axis": axis, "keepdims": keepdims})


def _comparison(name, fn):
    def compare(x1, x2):
        return op(name, lambda xp, a, b: getattr(xp, name)(a, b), (x1, x2))

    compare.__name__ = name
    compare.__doc__ = f"Elementwise x1 {fn} x2 (no gradient)."
    return compare


equal = _comparison("equal", "==")
not_equal = _comparison("not_equal", "!=")
greater = _comparison("greater", ">")
greater_equal = _comparison("greater_equal", ">=")
less = _comparison("less", "<")
less_equal = _comparison("less_equal", "<=")


def zeros(shape, dtype=None):
    """An array of zeros (floatx by default)."""
    return _device.xp.zeros(shape, dtype=dtype or config.floatx())


def ones(shape, dtype=None):
    """An array of ones (floatx by default)."""
    return _device.xp.ones(shape, dtype=dtype or config.floatx())


def zeros_like(x, dtype=None):
    """Zeros with the shape (and dtype) of x."""
    return op("zeros_like", lambda xp, a: xp.zeros_like(a, dtype=dtype), (x,))


def ones_like(x, dtype=None):
    """Ones with the shape (and dtype) of x."""
    return op("ones_like", lambda xp, a: xp.ones_like(a, dtype=dtype), (x,))


def full(shape, fill_value, dtype=None):
    """An array filled with `fill_value`."""
    return _device.xp.full(shape, fill_value, dtype=dtype or config.floatx())


def arange(start, stop=None, step=1, dtype=None):
    """Evenly spaced values in [start, stop)."""
    return _device.xp.arange(start, stop, step, dtype=dtype)


def eye(n, m=None, k=0, dtype=None):
    """An identity-like matrix."""
    return _device.xp.eye(n, m, k, dtype=dtype or config.floatx())
