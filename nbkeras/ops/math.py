"""Math ops with Keras 3 names: rounding, cumulative sums and products, sorting, `top_k`,
`erf`, `segment_sum`/`segment_max`, `norm`, the FFTs (as Keras's (real, imag) pairs), and
the elementwise predicates and logical ops.

Each goes through `ops.core.op` (or `composite`): arrays come from the active device's
`xp`, gradients are recorded where the op has one, and symbolic inputs become graph nodes.

Example:
    >>> ops.cumsum(np.array([1.0, 2.0, 3.0]))
    array([1., 3., 6.])
"""

import numpy as np

from nbkeras.ops.array import take_along_axis
from nbkeras.ops.core import composite, op, unwrap
from nbkeras.ops import numpy as knp

__all__ = ["all", "any", "argsort", "ceil", "count_nonzero", "cumprod", "cumsum", "erf", "fft",
           "fft2", "floor", "ifft2", "irfft", "isclose", "isfinite", "isinf", "isnan",
           "logical_and", "logical_not", "logical_or", "logical_xor", "median", "nan_to_num",
           "norm", "percentile", "quantile", "rfft", "round", "segment_max", "segment_sum", "sort", "top_k"]


def floor(x):
    """Elementwise floor (no gradient: it is zero almost everywhere).

    Example:
        >>> ops.floor(np.array([1.5, -1.5]))
        array([ 1., -2.])
    """
    return op("floor", lambda xp, a: xp.floor(a), (x,))


def ceil(x):
    """Elementwise ceiling (no gradient).

    Example:
        >>> ops.ceil(np.array([1.5, -1.5]))
        array([ 2., -1.])
    """
    return op("ceil", lambda xp, a: xp.ceil(a), (x,))


def round(x, decimals=0):
    """Round to `decimals` places, halves to even (no gradient).

    Args:
        x: the tensor.
        decimals: the number of decimal places.

    Example:
        >>> ops.round(np.array([0.5, 1.5, 2.25]), decimals=0)
        array([0., 2., 2.])
    """
    return op("round", lambda xp, a: xp.round(a, decimals), (x,), config={"decimals": decimals})


def _flat(xp, a, axis):
    a = xp.asarray(a)
    return (a.reshape(-1), 0) if axis is None else (a, axis)


def _reverse_cumsum(xp, g, axis):
    return xp.flip(xp.cumsum(xp.flip(g, axis), axis=axis), axis)


def cumsum(x, axis=None, dtype=None):
    """Cumulative sum along `axis` (of the flattened x when None).

    Args:
        x: the tensor.
        axis: the axis.
        dtype: the result's dtype.

    Example:
        >>> ops.cumsum(np.ones((2, 2)), axis=1)
        array([[1., 2.],
               [1., 2.]])
    """
    def forward(xp, a):
        a, ax = _flat(xp, a, axis)
        return xp.cumsum(a, axis=ax, dtype=dtype)

    def backward(xp, g, needs, arrays, out):
        ax = 0 if axis is None else axis
        return (_reverse_cumsum(xp, g, ax).reshape(np.shape(arrays[0])),)

    return op("cumsum", forward, (x,), backward, {"axis": axis, "dtype": dtype})


def cumprod(x, axis=None, dtype=None):
    """Cumulative product along `axis` (of the flattened x when None).

    The gradient divides by x, so it assumes no entry is zero.

    Args:
        x: the tensor.
        axis: the axis.
        dtype: the result's dtype.

    Example:
        >>> ops.cumprod(np.array([1.0, 2.0, 3.0]))
        array([1., 2., 6.])
    """
    def forward(xp, a):
        a, ax = _flat(xp, a, axis)
        return xp.cumprod(a, axis=ax, dtype=dtype)

    def backward(xp, g, needs, arrays, out):
        a, ax = _flat(xp, arrays[0], axis)
        return ((_reverse_cumsum(xp, g * out, ax) / a).reshape(np.shape(arrays[0])),)

    return op("cumprod", forward, (x,), backward, {"axis": axis, "dtype": dtype})


def argsort(x, axis=-1):
    """The indices that sort x along `axis` (stable; no gradient).

    Example:
        >>> ops.argsort(np.array([3.0, 1.0, 2.0]))
        array([1, 2, 0])
    """
    def forward(xp, a):
        a, ax = _flat(xp, a, axis)
        return xp.argsort(a, axis=ax, kind="stable")

    return op("argsort", forward, (x,), config={"axis": axis})


def sort(x, axis=-1):
    """x sorted along `axis`; the gradient flows back to each entry's source.

    Example:
        >>> ops.sort(np.array([3.0, 1.0, 2.0]))
        array([1., 2., 3.])
    """
    def run(x):
        if axis is None:
            x = knp.reshape(x, (-1,))
        ax = -1 if axis is None else axis
        return take_along_axis(x, argsort(x, axis=ax), axis=ax)

    return composite("sort", run, (x,), {"axis": axis})


def top_k(x, k, sorted=True):
    """The `k` largest entries along the last axis and their indices (ties: lower index
    first), as `(values, indices)`.

    Args:
        x: the tensor.
        k: how many entries.
        sorted: kept for Keras's signature; the values always come largest first.

    Example:
        >>> ops.top_k(np.array([1.0, 3.0, 2.0]), 2)
        (array([3., 2.]), array([1, 2]))
    """
    k = int(k)
    n = knp.shape(x)[-1] if not getattr(x, "_keras_symbolic", False) else None
    if n is not None and not 0 <= k <= n:
        raise ValueError(f"`k` must be between 0 and the last axis's size {n}. Received: k={k}")

    def run(x):
        index = op("top_k", lambda xp, a: xp.argsort(-xp.asarray(a), axis=-1,
                                                     kind="stable")[..., :k], (x,))
        return take_along_axis(x, index, axis=-1), index

    return composite("top_k", run, (x,), {"k": k, "sorted": sorted})


# erf: its Maclaurin series below |x| = 3 (in float64 the largest term is ~190, so the
# sum keeps ~1e-13); above, Abramowitz & Stegun 7.1.26 (error < 1.5e-7 where erf ~ 1).
_ERF_TERMS = 64
_AS = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def _erf(xp, a):
    a = xp.asarray(a)
    z = a.astype(np.float64)
    small = xp.minimum(xp.abs(z), 3.0)
    z2 = small * small
    term = small.copy()
    total = small.copy()
    for n in range(1, _ERF_TERMS):
        term = term * (-z2) / n
        total = total + term / (2 * n + 1)
    series = total * (2.0 / np.sqrt(np.pi)) * xp.sign(z)
    t = 1.0 / (1.0 + 0.3275911 * xp.abs(z))
    poly = t * (_AS[0] + t * (_AS[1] + t * (_AS[2] + t * (_AS[3] + t * _AS[4]))))
    tail = xp.sign(z) * (1.0 - poly * xp.exp(-z * z))
    out = xp.where(xp.abs(z) < 3.0, series, tail)
    return out.astype(a.dtype if a.dtype.kind == "f" else np.float32)


def erf(x):
    """The error function, elementwise; its gradient is 2/sqrt(pi) exp(-x^2).

    Example:
        >>> ops.erf(np.array([0.0, 1.0]))
        array([0.        , 0.84270079])
    """
    return op("erf", _erf, (x,), lambda xp, g, needs, arrays, out: (
        g * (2.0 / np.sqrt(np.pi)) * xp.exp(-xp.square(xp.asarray(arrays[0]))),))


def _segments(data, segment_ids, num_segments):
    ids = np.asarray(unwrap(segment_ids)).astype(np.int64).reshape(-1)
    n = int(ids.max()) + 1 if num_segments is None else int(num_segments)
    if ids.shape[0] != knp.shape(data)[0]:
        raise ValueError("`segment_ids` must have one id per row of `data`. Received: "
                         f"segment_ids with {ids.shape[0]} entries for data of shape "
                         f"{knp.shape(data)}")
    return ids, n, (ids >= 0) & (ids < n)


def _segment_reduce(name, combine, fill, grad, data, segment_ids, num_segments, sorted):
    """The op `name` that combines the rows of `data` sharing a segment id with the ufunc
    `xp.<combine>` from `fill`; grad(xp, g, a, out, rows, keep) -> the gradient of `data`
    (the rows kept, `keep`, go to segments `rows`; ids out of range drop)."""
    ids, n, valid = _segments(data, segment_ids, num_segments)
    rows, keep = ids[valid], np.flatnonzero(valid)

    def forward(xp, a):
        a = xp.asarray(a)
        out = xp.full((n,) + a.shape[1:], fill, dtype=a.dtype)
        getattr(xp, combine).at(out, xp.asarray(rows), a[xp.asarray(keep)])
        return out

    def backward(xp, g, needs, arrays, out):
        return (grad(xp, g, xp.asarray(arrays[0]), out, xp.asarray(rows), xp.asarray(keep)),)

    return op(name, forward, (data,), backward,
              {"segment_ids": ids.tolist(), "num_segments": num_segments, "sorted": sorted})


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Sum the rows of `data` that share a segment id (ids outside [0, num_segments) drop).

    Args:
        data: the tensor; its first axis is split into segments.
        segment_ids: one integer id per row.
        num_segments: the number of segments (max id + 1 when None).
        sorted: kept for Keras's signature (any order works).

    Example:
        >>> ops.segment_sum(np.array([1.0, 2.0, 3.0]), np.array([0, 0, 1]))
        array([3., 3.])
    """
    def grad(xp, g, a, out, r, k):
        gx = xp.zeros(a.shape, dtype=g.dtype)
        gx[k] = g[r]
        return gx

    return _segment_reduce("segment_sum", "add", 0, grad, data, segment_ids, num_segments,
                           sorted)


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """The maximum of the rows of `data` that share a segment id (-inf for empty segments);
    tied maxima share the gradient.

    Args:
        data: the tensor; its first axis is split into segments.
        segment_ids: one integer id per row.
        num_segments: the number of segments (max id + 1 when None).
        sorted: kept for Keras's signature.

    Example:
        >>> ops.segment_max(np.array([1.0, 2.0, 3.0]), np.array([0, 0, 1]))
        array([2., 3.])
    """
    def grad(xp, g, a, out, r, k):
        hit = xp.zeros(a.shape, dtype=g.dtype)
        hit[k] = (a[k] == out[r])
        count = xp.zeros(out.shape, dtype=g.dtype)
        xp.add.at(count, r, hit[k])
        gx = xp.zeros(a.shape, dtype=g.dtype)
        gx[k] = hit[k] * g[r] / xp.maximum(count[r], 1)
        return gx

    return _segment_reduce("segment_max", "maximum", -np.inf, grad, data, segment_ids,
                           num_segments, sorted)


def norm(x, ord=None, axis=None, keepdims=False):
    """A vector or matrix norm (Keras's `ops.norm`, as `np.linalg.norm`), differentiable.

    Args:
        x: the tensor.
        ord: None (2-norm / Frobenius), a number, `inf`/`-inf`, or for matrices 'fro',
            1, -1, `inf`, `-inf`.
        axis: None (the whole x as a vector, or a matrix when `ord` is given for 2-D x),
            an axis (vector norms) or two axes (matrix norms).
        keepdims: keep the reduced axes with size 1.

    Example:
        >>> ops.norm(np.array([3.0, 4.0]))
        array(5.)
    """
    def run(x):
        nd = len(knp.shape(x))
        ax = axis
        if ax is None and ord is not None and nd == 2:
            ax = (0, 1)
        if isinstance(ax, (list, tuple)) and len(ax) == 1:
            ax = ax[0]
        if ax is None or isinstance(ax, (int, np.integer)):
            return _vector_norm(x, ord, ax, keepdims)
        if len(ax) != 2:
            raise ValueError(f"`axis` must be None, an int or two ints. Received: axis={axis!r}")
        return _matrix_norm(x, ord, tuple(a % nd for a in ax), keepdims)

    return composite("norm", run, (x,), {"ord": ord, "axis": axis, "keepdims": keepdims})


def _vector_norm(x, ord, axis, keepdims):
    a = knp.abs(x)
    if ord is None or ord == 2:
        return knp.sqrt(knp.sum(knp.square(x), axis=axis, keepdims=keepdims))
    if ord == np.inf:
        return knp.max(a, axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return knp.min(a, axis=axis, keepdims=keepdims)
    if ord == 0:
        return knp.sum(knp.cast(knp.not_equal(x, 0), knp.convert_to_tensor(x).dtype),
                       axis=axis, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"`ord` {ord!r} is a matrix norm; vector norms take a number. "
                         f"Received: ord={ord!r}")
    if ord == 1:
        return knp.sum(a, axis=axis, keepdims=keepdims)
    return knp.power(knp.sum(knp.power(a, ord), axis=axis, keepdims=keepdims), 1.0 / ord)


def _matrix_norm(x, ord, axis, keepdims):
    r, c = axis
    if ord is None or ord == "fro":
        return knp.sqrt(knp.sum(knp.square(x), axis=axis, keepdims=keepdims))
    a = knp.abs(x)
    if ord in (1, -1):  # max / min absolute column sum
        inner, outer = r, c
    elif ord in (np.inf, -np.inf):  # max / min absolute row sum
        inner, outer = c, r
    elif ord in ("nuc", 2, -2):
        from nbkeras.ops.linalg import matrix_norm_svd
        return matrix_norm_svd(x, ord, axis, keepdims)
    else:
        raise ValueError("Matrix norms take ord None, 'fro', 'nuc', 1, -1, 2, -2, inf or -inf. "
                         f"Received: ord={ord!r}")
    sums = knp.sum(a, axis=inner, keepdims=True)
    pick = knp.max if ord in (1, np.inf) else knp.min
    out = pick(sums, axis=outer, keepdims=True)
    return out if keepdims else knp.squeeze(out, axis=axis)


def _complex_pair(x, name):
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"`{name}` expects a tuple (real, imag) of two tensors. "
                         f"Received: x={x!r}")
    real, imag = x
    if knp.shape(real) != knp.shape(imag):
        raise ValueError(f"The real and imaginary parts must have the same shape. Received: "
                         f"real.shape={knp.shape(real)}, imag.shape={knp.shape(imag)}")
    return real, imag


def _fft_pair(name, x, transform, adjoint):
    """(real, imag) = transform(real + i imag); the adjoint maps the gradient back."""
    real, imag = _complex_pair(x, name)

    def forward(xp, re, im):
        re = xp.asarray(re)
        y = transform(xp, re + 1j * xp.asarray(im))
        dtype = re.dtype if re.dtype.kind == "f" else np.float32
        return xp.stack([y.real, y.imag]).astype(dtype)

    def backward(xp, g, needs, arrays, out):
        z = adjoint(xp, g[0] + 1j * g[1])
        return z.real.astype(g.dtype), z.imag.astype(g.dtype)

    both = op(name, forward, (real, imag), backward)
    return knp.getitem(both, 0), knp.getitem(both, 1)


def fft(x):
    """The FFT over the last axis of a complex tensor given as `(real, imag)`.

    Args:
        x: a tuple (real, imag) of two float tensors of the same shape.

    Returns:
        A tuple (real, imag).

    Example:
        >>> ops.fft((np.array([1.0, 0.0]), np.zeros(2)))[0]
        array([1., 1.])
    """
    def run(real, imag):
        return _fft_pair("fft", (real, imag), lambda xp, z: xp.fft.fft(z),
                         lambda xp, g: xp.fft.ifft(g) * g.shape[-1])

    return composite("fft", run, _complex_pair(x, "fft"))


def fft2(x):
    """The 2-D FFT over the last two axes of a complex tensor given as `(real, imag)`.

    Example:
        >>> ops.fft2((np.ones((2, 2)), np.zeros((2, 2))))[0]
        array([[4., 0.],
               [0., 0.]])
    """
    def run(real, imag):
        return _fft_pair("fft2", (real, imag), lambda xp, z: xp.fft.fft2(z),
                         lambda xp, g: xp.fft.ifft2(g) * (g.shape[-1] * g.shape[-2]))

    return composite("fft2", run, _complex_pair(x, "fft2"))


def ifft2(x):
    """The inverse 2-D FFT over the last two axes of `(real, imag)`.

    Example:
        >>> ops.ifft2((np.ones((2, 2)), np.zeros((2, 2))))[0]
        array([[1., 0.],
               [0., 0.]])
    """
    def run(real, imag):
        return _fft_pair("ifft2", (real, imag), lambda xp, z: xp.fft.ifft2(z),
                         lambda xp, g: xp.fft.fft2(g) / (g.shape[-1] * g.shape[-2]))

    return composite("ifft2", run, _complex_pair(x, "ifft2"))


def _fit_length(x, n):
    """Crop or zero-pad the last axis of x to n entries (differentiable)."""
    from nbkeras.ops.array import pad

    m = knp.shape(x)[-1]
    if n < m:
        return knp.getitem(x, (Ellipsis, slice(0, n)))
    if n > m:
        return pad(x, [[0, 0]] * (len(knp.shape(x)) - 1) + [[0, n - m]])
    return x


def rfft(x, fft_length=None):
    """The FFT of a real tensor over its last axis: the `fft_length // 2 + 1` non-negative
    frequencies, as `(real, imag)`.

    Args:
        x: a float tensor.
        fft_length: the FFT size (x's last axis is cropped or zero-padded to it).

    Example:
        >>> ops.rfft(np.array([1.0, 1.0, 1.0, 1.0]))[0]
        array([4., 0., 0.])
    """
    def run(x):
        n = knp.shape(x)[-1] if fft_length is None else int(fft_length)
        x = _fit_length(x, n)

        def forward(xp, a):
            a = xp.asarray(a)
            y = xp.fft.rfft(a, n=n, axis=-1)
            dtype = a.dtype if a.dtype.kind == "f" else np.float32
            return xp.stack([y.real, y.imag]).astype(dtype)

        def backward(xp, g, needs, arrays, out):
            z = g[0] + 1j * g[1]
            full = xp.zeros(z.shape[:-1] + (n,), dtype=z.dtype)
            full[..., :z.shape[-1]] = z
            return ((xp.fft.ifft(full, axis=-1) * n).real.astype(g.dtype),)

        both = op("rfft", forward, (x,), backward)
        return knp.getitem(both, 0), knp.getitem(both, 1)

    return composite("rfft", run, (x,), {"fft_length": fft_length})


def irfft(x, fft_length=None):
    """The inverse of `rfft`: a real signal of `fft_length` entries from `(real, imag)`,
    differentiable (NumPy's rule: the imaginary parts of the zero and, for even lengths,
    the Nyquist frequency are ignored, and so get no gradient).

    Args:
        x: a tuple (real, imag) of the non-negative frequencies.
        fft_length: the output length (2 * (n - 1) when None).

    Example:
        >>> ops.irfft((np.array([4.0, 0.0, 0.0]), np.zeros(3)))
        array([1., 1., 1., 1.])
    """
    real, imag = _complex_pair(x, "irfft")

    def forward(xp, re, im):
        re = xp.asarray(re)
        y = xp.fft.irfft(re + 1j * xp.asarray(im), n=fft_length, axis=-1)
        return y.astype(re.dtype if re.dtype.kind == "f" else np.float32)

    def backward(xp, g, needs, arrays, out):
        n = g.shape[-1]
        m = np.shape(arrays[0])[-1]
        spec = xp.fft.rfft(g, axis=-1)  # n // 2 + 1 bins
        scale = xp.full(spec.shape[-1], 2.0 / n)
        scale[0] = 1.0 / n
        if n % 2 == 0:
            scale[-1] = 1.0 / n
        gr, gi = spec.real * scale, spec.imag * scale
        gi[..., 0] = 0.0
        if n % 2 == 0:
            gi[..., -1] = 0.0
        k = spec.shape[-1]
        if m > k:
            widths = [(0, 0)] * (g.ndim - 1) + [(0, m - k)]
            gr, gi = xp.pad(gr, widths), xp.pad(gi, widths)
        gr, gi = gr[..., :m].astype(g.dtype), gi[..., :m].astype(g.dtype)
        return (gr if needs[0] else None, gi if needs[1] else None)

    return op("irfft", forward, (real, imag), backward, {"fft_length": fft_length})


def _predicate(name, doc):
    def fn(x):
        return op(name, lambda xp, a: getattr(xp, name)(a), (x,))

    fn.__name__ = name
    fn.__doc__ = (f"{doc}, elementwise (no gradient).\n\n    Example:\n        >>> ops.{name}("
                  "np.array([1.0, np.nan, np.inf]))\n")
    return fn


isnan = _predicate("isnan", "Whether x is NaN")
isinf = _predicate("isinf", "Whether x is +-inf")
isfinite = _predicate("isfinite", "Whether x is finite")


def logical_not(x):
    """Elementwise logical NOT (no gradient).

    Example:
        >>> ops.logical_not(np.array([True, False]))
        array([False,  True])
    """
    return op("logical_not", lambda xp, a: xp.logical_not(a), (x,))


def _logical(name):
    def fn(x1, x2):
        return op(name, lambda xp, a, b: getattr(xp, name)(a, b), (x1, x2))

    fn.__name__ = name
    fn.__doc__ = (f"Elementwise {name.split('_')[1].upper()} of x1 and x2 (no gradient).\n\n"
                  f"    Example:\n        >>> ops.{name}(np.array([True, False]), True)\n")
    return fn


logical_and = _logical("logical_and")
logical_or = _logical("logical_or")
logical_xor = _logical("logical_xor")


def all(x, axis=None, keepdims=False):
    """Whether every entry along `axis` is true (non-zero).

    Example:
        >>> ops.all(np.array([True, False]))
        array(False)
    """
    return op("all", lambda xp, a: xp.asarray(xp.all(a, axis=axis, keepdims=keepdims)), (x,),
              config={"axis": axis, "keepdims": keepdims})


def any(x, axis=None, keepdims=False):
    """Whether some entry along `axis` is true (non-zero).

    Example:
        >>> ops.any(np.array([True, False]))
        array(True)
    """
    return op("any", lambda xp, a: xp.asarray(xp.any(a, axis=axis, keepdims=keepdims)), (x,),
              config={"axis": axis, "keepdims": keepdims})


def count_nonzero(x, axis=None):
    """The number of non-zero entries along `axis`.

    Example:
        >>> ops.count_nonzero(np.array([0.0, 1.0, 2.0]))
        array(2)
    """
    return op("count_nonzero", lambda xp, a: xp.asarray(xp.count_nonzero(a, axis=axis)), (x,),
              config={"axis": axis})


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Whether x1 and x2 are equal within `atol + rtol * |x2|`, elementwise.

    Example:
        >>> ops.isclose(np.array([1.0, 2.0]), np.array([1.0, 2.1]))
        array([ True, False])
    """
    return op("isclose", lambda xp, a, b: xp.isclose(a, b, rtol=rtol, atol=atol,
                                                     equal_nan=equal_nan), (x1, x2),
              config={"rtol": rtol, "atol": atol, "equal_nan": equal_nan})


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """x with NaN, +inf and -inf replaced (by 0 and the dtype's largest finite values by
    default); the gradient flows through the finite entries.

    Example:
        >>> ops.nan_to_num(np.array([np.nan, 1.0]))
        array([0., 1.])
    """
    return op("nan_to_num",
              lambda xp, a: xp.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf), (x,),
              lambda xp, g, needs, arrays, out: (xp.where(xp.isfinite(arrays[0]), g, 0)
                                                 .astype(g.dtype),),
              {"nan": nan, "posinf": posinf, "neginf": neginf})


def quantile(x, q, axis=None, method="linear", keepdims=False):
    """The `q`-th quantiles (q in [0, 1]) along `axis`, differentiable (sorting, then
    interpolating between neighbours).

    Args:
        x: the tensor.
        q: a quantile or a 1-D list of them (their axis comes first in the result).
        axis: None (all entries), an axis or a tuple of axes.
        method: 'linear', 'lower', 'higher', 'midpoint' or 'nearest'.
        keepdims: keep the reduced axes with size 1.

    Example:
        >>> ops.quantile(np.array([1.0, 2.0, 3.0, 4.0]), 0.5)
        array(2.5)
    """
    methods = ("linear", "lower", "higher", "midpoint", "nearest")
    if method not in methods:
        raise ValueError(f"`method` must be one of {methods}. Received: method={method!r}")
    qs = np.asarray(unwrap(q), dtype=np.float64)
    if np.any((qs < 0) | (qs > 1)):
        raise ValueError(f"Quantiles must be in [0, 1]. Received: q={q!r}")

    def run(x):
        shape = knp.shape(x)
        nd = len(shape)
        axes = tuple(range(nd)) if axis is None else tuple(
            a % nd for a in np.atleast_1d(axis))
        rest = [i for i in range(nd) if i not in axes]
        moved = knp.transpose(x, rest + list(axes))
        flat = knp.reshape(moved, tuple(shape[i] for i in rest) + (-1,))
        s = sort(flat, axis=-1)
        n = knp.shape(s)[-1]
        pos = qs * (n - 1)
        lo, hi = np.floor(pos).astype(np.int64), np.ceil(pos).astype(np.int64)
        if method == "lower":
            hi = lo
        elif method == "higher":
            lo = hi
        elif method == "nearest":
            lo = hi = np.round(pos).astype(np.int64)
        frac = (pos - lo) if method == "linear" else np.full(pos.shape, 0.5 if method ==
                                                                 "midpoint" else 0.0)
        dtype = knp.convert_to_tensor(unwrap(s)).dtype
        lo_v = knp.take(s, lo.reshape(-1), axis=-1)
        hi_v = knp.take(s, hi.reshape(-1), axis=-1)
        w = frac.reshape(-1).astype(dtype)
        out = lo_v * (1 - w) + hi_v * w  # (..., len(q))
        if keepdims:
            out = knp.reshape(out, tuple(1 if i in axes else shape[i] for i in range(nd))
                              + (-1,))
        out = _q_first(out)
        return knp.reshape(out, knp.shape(out)[1:]) if qs.ndim == 0 else out

    return composite("quantile", run, (x,), {"q": qs.tolist(), "axis": axis, "method": method,
                                             "keepdims": keepdims})


def percentile(x, q, axis=None, method="linear", keepdims=False):
    """The `q`-th percentiles (q in [0, 100]) along `axis`: `quantile` at q / 100.

    Example:
        >>> ops.percentile(np.array([1.0, 2.0, 3.0, 4.0]), 50)
        array(2.5)
    """
    qs = np.asarray(unwrap(q), dtype=np.float64)
    if np.any((qs < 0) | (qs > 100)):
        raise ValueError(f"Percentiles must be in [0, 100]. Received: q={q!r}")
    return composite("percentile", lambda x: quantile(x, qs / 100.0, axis=axis, method=method,
                                                      keepdims=keepdims), (x,),
                     {"q": qs.tolist(), "axis": axis, "method": method, "keepdims": keepdims})


def _q_first(out):
    nd = len(knp.shape(out))
    return knp.transpose(out, [nd - 1] + list(range(nd - 1)))


def median(x, axis=None, keepdims=False):
    """The median along `axis` (differentiable; see `quantile`).

    Example:
        >>> ops.median(np.array([3.0, 1.0, 2.0]))
        array(2.)
    """
    return composite("median", lambda x: quantile(x, 0.5, axis=axis, keepdims=keepdims), (x,),
                     {"axis": axis, "keepdims": keepdims})
