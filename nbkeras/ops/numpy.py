"""Differentiable NumPy-like ops with Keras 3 names (`keras.ops.add`, `keras.ops.sum`, ...).

Each op computes its forward value with NumPy and records a backward function
with `record`. Ops compose: gradients of composite code come for free.
"""

import numpy as np

from nbkeras import config
from nbkeras.ops.core import Tensor, record, unwrap


def _shape(a):
    return np.shape(a)


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
    if isinstance(x, Tensor):
        return x if dtype is None or x.dtype == np.dtype(dtype) else cast(x, dtype)
    if dtype is None:
        arr = np.asarray(x)
        if arr.dtype == np.float64 and not isinstance(x, np.ndarray):
            arr = arr.astype(config.floatx())
        return arr
    return np.asarray(x, dtype=dtype)


def convert_to_numpy(x):
    """Return x as a NumPy array."""
    return np.asarray(unwrap(x))


def stop_gradient(x):
    """Return x's value with no gradient flowing back."""
    return unwrap(x)


def _binary(x1, x2, value, grad1, grad2):
    a, b = unwrap(x1), unwrap(x2)
    out = value(a, b)

    def backward(g, needs):
        return (
            unbroadcast(grad1(g, a, b, out), _shape(a)) if needs[0] else None,
            unbroadcast(grad2(g, a, b, out), _shape(b)) if needs[1] else None,
        )

    return record(out, (x1, x2), backward)


def add(x1, x2):
    """Elementwise x1 + x2, with broadcasting."""
    return _binary(x1, x2, np.add, lambda g, a, b, y: g, lambda g, a, b, y: g)


def subtract(x1, x2):
    """Elementwise x1 - x2, with broadcasting."""
    return _binary(x1, x2, np.subtract, lambda g, a, b, y: g, lambda g, a, b, y: -g)


def multiply(x1, x2):
    """Elementwise x1 * x2, with broadcasting."""
    return _binary(
        x1, x2, np.multiply, lambda g, a, b, y: g * b, lambda g, a, b, y: g * a
    )


def divide(x1, x2):
    """Elementwise x1 / x2, with broadcasting."""
    return _binary(
        x1, x2, np.true_divide,
        lambda g, a, b, y: g / b,
        lambda g, a, b, y: -g * y / b,
    )


true_divide = divide


def divide_no_nan(x1, x2):
    """Elementwise x1 / x2, giving 0 where x2 is 0."""
    zero = np.asarray(unwrap(x2)) == 0
    return where(zero, 0.0, divide(x1, where(zero, 1.0, x2)))


def power(x1, x2):
    """Elementwise x1 ** x2."""
    return _binary(
        x1, x2, np.power,
        lambda g, a, b, y: g * b * np.power(a, b - 1),
        lambda g, a, b, y: g * y * np.log(np.where(a > 0, a, 1)),
    )


def maximum(x1, x2):
    """Elementwise maximum; ties split the gradient in half."""
    return _binary(
        x1, x2, np.maximum,
        lambda g, a, b, y: g * ((a > b) + 0.5 * (a == b)).astype(g.dtype),
        lambda g, a, b, y: g * ((b > a) + 0.5 * (a == b)).astype(g.dtype),
    )


def minimum(x1, x2):
    """Elementwise minimum; ties split the gradient in half."""
    return _binary(
        x1, x2, np.minimum,
        lambda g, a, b, y: g * ((a < b) + 0.5 * (a == b)).astype(g.dtype),
        lambda g, a, b, y: g * ((b < a) + 0.5 * (a == b)).astype(g.dtype),
    )


def _unary(x, value, grad):
    a = unwrap(x)
    out = value(a)
    return record(out, (x,), lambda g, needs: (grad(g, a, out),))


def negative(x):
    """Elementwise -x."""
    return _unary(x, np.negative, lambda g, a, y: -g)


def exp(x):
    """Elementwise e ** x."""
    return _unary(x, np.exp, lambda g, a, y: g * y)


def expm1(x):
    """Elementwise e ** x - 1."""
    return _unary(x, np.expm1, lambda g, a, y: g * (y + 1))


def log(x):
    """Elementwise natural logarithm."""
    return _unary(x, np.log, lambda g, a, y: g / a)


def log1p(x):
    """Elementwise log(1 + x)."""
    return _unary(x, np.log1p, lambda g, a, y: g / (1 + a))


def sqrt(x):
    """Elementwise square root."""
    return _unary(x, np.sqrt, lambda g, a, y: g * 0.5 / y)


def square(x):
    """Elementwise x ** 2."""
    return _unary(x, np.square, lambda g, a, y: g * 2 * a)


def abs(x):
    """Elementwise absolute value."""
    return _unary(x, np.abs, lambda g, a, y: g * np.sign(a))


absolute = abs


def sin(x):
    """Elementwise sine."""
    return _unary(x, np.sin, lambda g, a, y: g * np.cos(a))


def cos(x):
    """Elementwise cosine."""
    return _unary(x, np.cos, lambda g, a, y: -g * np.sin(a))


def sign(x):
    """Elementwise sign (no gradient)."""
    return np.sign(unwrap(x))


def clip(x, x_min, x_max):
    """Clip values to [x_min, x_max]; the gradient is zero outside."""
    return _unary(
        x,
        lambda a: np.clip(a, x_min, x_max),
        lambda g, a, y: g * ((a >= x_min) & (a <= x_max)),
    )


def cast(x, dtype):
    """Cast to `dtype`; gradients flow back through float casts."""
    a = unwrap(x)
    dtype = np.dtype(dtype)
    if a.dtype == dtype if isinstance(a, np.ndarray) else False:
        return x
    out = np.asarray(a).astype(dtype)
    src = np.asarray(a).dtype
    if not (np.issubdtype(dtype, np.floating) and np.issubdtype(src, np.floating)):
        return out
    return record(out, (x,), lambda g, needs: (g.astype(src),))


def _axis_arg(axis):
    """Keras accepts axes as lists; NumPy wants tuples."""
    return tuple(axis) if isinstance(axis, list) else axis


def _norm_axis(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        axis = (axis,)
    return tuple(a % ndim for a in axis) if ndim else ()


def _expand_reduced(g, axis, ndim, keepdims):
    if keepdims or ndim == 0:
        return g
    return np.expand_dims(g, _norm_axis(axis, ndim))


def _spread(g, axis, shape, ndim, keepdims, scale=None):
    """Broadcast the gradient of a reduction back to the input's shape."""
    if axis is None and np.ndim(g) == 0 or np.size(g) == 1:
        value = g.reshape(()) if isinstance(g, np.ndarray) else g
        if scale is not None:
            value = value / scale
        return np.full(shape, value, dtype=getattr(g, "dtype", None))
    g = _expand_reduced(g, axis, ndim, keepdims)
    if scale is not None:
        g = g / np.asarray(scale, g.dtype)
    return np.broadcast_to(g, shape)


def sum(x, axis=None, keepdims=False):
    """Sum over `axis` (all axes when None)."""
    axis = _axis_arg(axis)
    a = np.asarray(unwrap(x))
    out = np.asarray(np.sum(a, axis=axis, keepdims=keepdims))
    return record(out, (x,), lambda g, needs: (_spread(g, axis, a.shape, a.ndim, keepdims),))


def mean(x, axis=None, keepdims=False):
    """Mean over `axis` (all axes when None)."""
    axis = _axis_arg(axis)
    a = np.asarray(unwrap(x))
    out = np.asarray(np.mean(a, axis=axis, keepdims=keepdims))
    count = a.size // out.size if out.size else 1
    return record(out, (x,), lambda g, needs: (_spread(g, axis, a.shape, a.ndim, keepdims, count),))


def _chooser(x, axis, keepdims, fn):
    axis = _axis_arg(axis)
    a = np.asarray(unwrap(x))
    out = np.asarray(fn(a, axis=axis, keepdims=keepdims))

    def backward(g, needs):
        y = _expand_reduced(out, axis, a.ndim, keepdims)
        mask = (a == y).astype(g.dtype)
        mask /= np.sum(mask, axis=axis, keepdims=True)
        return (mask * _expand_reduced(g, axis, a.ndim, keepdims),)

    return record(out, (x,), backward)


def max(x, axis=None, keepdims=False, initial=None):
    """Maximum over `axis`; tied maxima share the gradient."""
    return _chooser(x, axis, keepdims, np.max)


def min(x, axis=None, keepdims=False, initial=None):
    """Minimum over `axis`; tied minima share the gradient."""
    return _chooser(x, axis, keepdims, np.min)


amax = max
amin = min


def prod(x, axis=None, keepdims=False):
    """Product over `axis`."""
    axis = _axis_arg(axis)
    a = np.asarray(unwrap(x))
    out = np.asarray(np.prod(a, axis=axis, keepdims=keepdims))

    def backward(g, needs):
        y = _expand_reduced(out, axis, a.ndim, keepdims)
        return (_expand_reduced(g, axis, a.ndim, keepdims) * y / a,)

    return record(out, (x,), backward)


def var(x, axis=None, keepdims=False):
    """Biased variance over `axis`."""
    axis = _axis_arg(axis)
    centered = subtract(x, mean(x, axis=axis, keepdims=True))
    return mean(square(centered), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    """Biased standard deviation over `axis`."""
    axis = _axis_arg(axis)
    return sqrt(var(x, axis=axis, keepdims=keepdims))


def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))) over `axis`, computed stably."""
    axis = _axis_arg(axis)
    a = np.asarray(unwrap(x))
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    s = np.sum(np.exp(a - m), axis=axis, keepdims=True)
    full = np.log(s) + m
    out = full if keepdims else np.squeeze(full, axis=_norm_axis(axis, a.ndim))

    def backward(g, needs):
        return (_expand_reduced(g, axis, a.ndim, keepdims) * np.exp(a - full),)

    return record(np.asarray(out), (x,), backward)


def matmul(x1, x2):
    """Matrix product with NumPy's `matmul` semantics (batched, 1-D promotion)."""
    a, b = np.asarray(unwrap(x1)), np.asarray(unwrap(x2))
    out = np.matmul(a, b)

    def backward(g, needs):
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
        g2 = np.reshape(g, batch + (a2.shape[-2], b2.shape[-1]))
        ga = gb = None
        if needs[0]:
            ga = unbroadcast(np.matmul(g2, np.swapaxes(b2, -1, -2)), a2.shape).reshape(a.shape)
        if needs[1]:
            gb = unbroadcast(np.matmul(np.swapaxes(a2, -1, -2), g2), b2.shape).reshape(b.shape)
        return ga, gb

    return record(out, (x1, x2), backward)


def dot(x1, x2):
    """Dot product with NumPy's `dot` semantics for inputs of rank 2 or less."""
    if np.ndim(unwrap(x1)) == 0 or np.ndim(unwrap(x2)) == 0:
        return multiply(x1, x2)
    if np.ndim(unwrap(x2)) > 2:
        return tensordot(x1, x2, axes=([-1], [-2]))
    return matmul(x1, x2)


def tensordot(x1, x2, axes=2):
    """Tensor contraction over the given axes, as `np.tensordot`."""
    a, b = np.asarray(unwrap(x1)), np.asarray(unwrap(x2))
    if isinstance(axes, int):
        ax_a = list(range(a.ndim - axes, a.ndim))
        ax_b = list(range(axes))
    else:
        ax_a = [i % a.ndim for i in np.atleast_1d(axes[0])]
        ax_b = [i % b.ndim for i in np.atleast_1d(axes[1])]
    free_a = [i for i in range(a.ndim) if i not in ax_a]
    free_b = [i for i in range(b.ndim) if i not in ax_b]
    at = transpose(x1, free_a + ax_a)
    bt = transpose(x2, ax_b + free_b)
    k = int(np.prod([a.shape[i] for i in ax_a]))
    fa = [a.shape[i] for i in free_a]
    fb = [b.shape[i] for i in free_b]
    prod2 = matmul(reshape(at, (-1, k)), reshape(bt, (k, -1)))
    return reshape(prod2, fa + fb)


def reshape(x, newshape):
    """Return x with a new shape (one dimension may be -1)."""
    a = np.asarray(unwrap(x))
    out = a.reshape(newshape)
    return record(out, (x,), lambda g, needs: (g.reshape(a.shape),))


def transpose(x, axes=None):
    """Permute the axes (reverse them when `axes` is None)."""
    a = np.asarray(unwrap(x))
    out = np.transpose(a, axes)
    inv = None if axes is None else np.argsort([i % a.ndim for i in axes])
    return record(out, (x,), lambda g, needs: (np.transpose(g, inv),))


def expand_dims(x, axis):
    """Insert a length-1 axis at `axis`."""
    a = np.asarray(unwrap(x))
    return reshape(x, np.expand_dims(a, axis).shape)


def squeeze(x, axis=None):
    """Remove length-1 axes."""
    a = np.asarray(unwrap(x))
    return reshape(x, np.squeeze(a, axis=axis).shape)


def concatenate(xs, axis=0):
    """Join tensors along an existing axis."""
    arrays = [np.asarray(unwrap(x)) for x in xs]
    out = np.concatenate(arrays, axis=axis)
    bounds = np.cumsum([a.shape[axis] for a in arrays])[:-1]

    def backward(g, needs):
        return tuple(np.split(g, bounds, axis=axis))

    return record(out, tuple(xs), backward)


def stack(xs, axis=0):
    """Join tensors along a new axis."""
    arrays = [np.asarray(unwrap(x)) for x in xs]
    out = np.stack(arrays, axis=axis)

    def backward(g, needs):
        return tuple(np.take(g, i, axis=axis) for i in range(len(arrays)))

    return record(out, tuple(xs), backward)


def where(condition, x1=None, x2=None):
    """Choose from x1 where `condition` holds and from x2 elsewhere."""
    c = np.asarray(unwrap(condition)).astype(bool)
    if x1 is None and x2 is None:
        return np.nonzero(c)
    return _binary(
        x1, x2, lambda a, b: np.where(c, a, b),
        lambda g, a, b, y: np.where(c, g, 0).astype(g.dtype),
        lambda g, a, b, y: np.where(c, 0, g).astype(g.dtype),
    )


def _basic_index(key):
    keys = key if isinstance(key, tuple) else (key,)
    return all(k is None or k is Ellipsis or isinstance(k, (int, slice, np.integer)) for k in keys)


def getitem(x, key):
    """x[key], with gradients scattered back (basic and advanced indexing)."""
    if isinstance(key, Tensor):
        key = key.data
    elif isinstance(key, tuple):
        key = tuple(k.data if isinstance(k, Tensor) else k for k in key)
    a = np.asarray(unwrap(x))
    out = a[key]
    basic = _basic_index(key)

    def backward(g, needs):
        gx = np.zeros(a.shape, dtype=g.dtype)
        if basic:
            gx[key] = g
        else:
            np.add.at(gx, key, g)
        return (gx,)

    return record(np.asarray(out), (x,), backward)


def take(x, indices, axis=None):
    """Gather entries along `axis` (the flattened array when None)."""
    idx = np.asarray(unwrap(indices))
    if axis is None:
        return getitem(reshape(x, (-1,)), idx)
    a = np.asarray(unwrap(x))
    key = (slice(None),) * (axis % a.ndim) + (idx,)
    return getitem(x, key)


def tile(x, repeats):
    """Repeat x along each axis (see `np.tile`)."""
    a = np.asarray(unwrap(x))
    reps = tuple(np.atleast_1d(repeats))
    out = np.tile(a, reps)

    def backward(g, needs):
        nd = out.ndim
        shape_a = (1,) * (nd - a.ndim) + a.shape
        reps_full = (1,) * (nd - len(reps)) + reps
        split = []
        for r, s in zip(reps_full, shape_a):
            split.extend([r, s])
        return (g.reshape(split).sum(axis=tuple(range(0, 2 * nd, 2))).reshape(a.shape),)

    return record(out, (x,), backward)


# Non-differentiable helpers with Keras names.
def shape(x):
    """Return the shape as a tuple."""
    return tuple(np.shape(unwrap(x)))


def ndim(x):
    """Return the number of dimensions."""
    return np.ndim(unwrap(x))


def argmax(x, axis=None, keepdims=False):
    """Index of the maximum along `axis`."""
    return np.argmax(unwrap(x), axis=axis, keepdims=keepdims)


def argmin(x, axis=None, keepdims=False):
    """Index of the minimum along `axis`."""
    return np.argmin(unwrap(x), axis=axis, keepdims=keepdims)


def equal(x1, x2):
    """Elementwise x1 == x2."""
    return np.equal(unwrap(x1), unwrap(x2))


def not_equal(x1, x2):
    """Elementwise x1 != x2."""
    return np.not_equal(unwrap(x1), unwrap(x2))


def greater(x1, x2):
    """Elementwise x1 > x2."""
    return np.greater(unwrap(x1), unwrap(x2))


def greater_equal(x1, x2):
    """Elementwise x1 >= x2."""
    return np.greater_equal(unwrap(x1), unwrap(x2))


def less(x1, x2):
    """Elementwise x1 < x2."""
    return np.less(unwrap(x1), unwrap(x2))


def less_equal(x1, x2):
    """Elementwise x1 <= x2."""
    return np.less_equal(unwrap(x1), unwrap(x2))


def zeros(shape, dtype=None):
    """An array of zeros (floatx by default)."""
    return np.zeros(shape, dtype=dtype or config.floatx())


def ones(shape, dtype=None):
    """An array of ones (floatx by default)."""
    return np.ones(shape, dtype=dtype or config.floatx())


def zeros_like(x, dtype=None):
    """Zeros with the shape (and dtype) of x."""
    return np.zeros_like(unwrap(x), dtype=dtype)


def ones_like(x, dtype=None):
    """Ones with the shape (and dtype) of x."""
    return np.ones_like(unwrap(x), dtype=dtype)


def full(shape, fill_value, dtype=None):
    """An array filled with `fill_value`."""
    return np.full(shape, fill_value, dtype=dtype or config.floatx())


def arange(start, stop=None, step=1, dtype=None):
    """Evenly spaced values in [start, stop)."""
    return np.arange(start, stop, step, dtype=dtype)


def eye(n, m=None, k=0, dtype=None):
    """An identity-like matrix."""
    return np.eye(n, m, k, dtype=dtype or config.floatx())
