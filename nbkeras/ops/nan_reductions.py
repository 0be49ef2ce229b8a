"""The NaN-aware reductions of Keras 3 (`nansum`, `nanmean`, `nanmax`, `nanmin`, `nanprod`,
`nanvar`, `nanstd`, `nancumsum`, `nancumprod`, `nanargmax`, `nanargmin`, `nanmedian`,
`nanquantile`, `nanpercentile`): NaN entries are left out, as in NumPy.

The sums, means, extrema, products, variances and cumulative ones are differentiable (no
gradient reaches a NaN entry); the arg-reductions and the order statistics are not.

Example:
    >>> ops.nansum(np.array([1.0, np.nan, 2.0]))
    array(3.)
"""

import numpy as np

from nbkeras.backend import active as _device
from nbkeras.ops import numpy as knp
from nbkeras.ops.core import composite, op
from nbkeras.ops.math import cumprod, cumsum, isnan, logical_not
from nbkeras.ops.numpy import _axis_arg, _chooser_backward

__all__ = ["nanargmax", "nanargmin", "nancumprod", "nancumsum", "nanmax", "nanmean",
           "nanmedian", "nanmin", "nanpercentile", "nanprod", "nanquantile", "nanstd",
           "nansum", "nanvar"]


def _config(axis, keepdims):
    return {"axis": _axis_arg(axis), "keepdims": keepdims}


def _filled(x, value):
    return knp.where(isnan(x), value, x)


def nansum(x, axis=None, keepdims=False):
    """Sum over `axis`, NaNs counted as zero.

    Args:
        x: the tensor.
        axis: the axis or axes (None: all).
        keepdims: keep the reduced axes with size 1.

    Example:
        >>> ops.nansum(np.array([[1.0, np.nan], [2.0, 3.0]]), axis=1)
        array([1., 5.])
    """
    return composite("nansum", lambda x: knp.sum(_filled(x, 0.0), axis=_axis_arg(axis),
                                                  keepdims=keepdims), (x,),
                     _config(axis, keepdims))


def nanmean(x, axis=None, keepdims=False):
    """Mean over `axis` of the entries that are not NaN (NaN where all are).

    Args:
        x: the tensor.
        axis: the axis or axes (None: all).
        keepdims: keep the reduced axes with size 1.

    Example:
        >>> ops.nanmean(np.array([1.0, np.nan, 3.0]))
        array(2.)
    """
    def run(x):
        ax = _axis_arg(axis)
        total = knp.sum(_filled(x, 0.0), axis=ax, keepdims=keepdims)
        count = knp.sum(knp.cast(logical_not(isnan(x)), knp.convert_to_tensor(x).dtype),
                        axis=ax, keepdims=keepdims)
        with np.errstate(invalid="ignore", divide="ignore"):
            return knp.divide(total, count)

    return composite("nanmean", run, (x,), _config(axis, keepdims))


def _nan_extreme(name, fn, x, axis, keepdims):
    ax = _axis_arg(axis)

    def forward(xp, a):
        with np.errstate(invalid="ignore"):
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                return xp.asarray(fn(xp, xp.asarray(a), axis=ax, keepdims=keepdims))

    def backward(xp, g, needs, arrays, out):
        return (_chooser_backward(xp, g, xp.asarray(arrays[0]), out, ax, keepdims),)

    return op(name, forward, (x,), backward, _config(axis, keepdims))


def nanmax(x, axis=None, keepdims=False):
    """Maximum over `axis` ignoring NaNs (NaN where all are); ties share the gradient.

    Args:
        x: the tensor.
        axis: the axis or axes (None: all).
        keepdims: keep the reduced axes with size 1.

    Example:
        >>> ops.nanmax(np.array([1.0, np.nan, 3.0]))
        array(3.)
    """
    return _nan_extreme("nanmax", lambda xp, a, **k: xp.nanmax(a, **k), x, axis, keepdims)


def nanmin(x, axis=None, keepdims=False):
    """Minimum over `axis` ignoring NaNs (NaN where all are); ties share the gradient.

    Args:
        x: the tensor.
        axis: the axis or axes (None: all).
        keepdims: keep the reduced axes with size 1.

    Example:
        >>> ops.nanmin(np.array([1.0, np.nan, 3.0]))
        array(1.)
    """
    return _nan_extreme("nanmin", lambda xp, a, **k: xp.nanmin(a, **k), x, axis, keepdims)


def nanprod(x, axis=None, keepdims=False):
    """Product over `axis`, NaNs counted as one.

    Args:
        x: the tensor.
        axis: the axis or axes (None: all).
        keepdims: keep the reduced axes with size 1.

    Example:
        >>> ops.nanprod(np.array([2.0, np.nan, 3.0]))
        array(6.)
    """
    return composite("nanprod", lambda x: knp.prod(_filled(x, 1.0), axis=_axis_arg(axis),
                                                    keepdims=keepdims), (x,),
                     _config(axis, keepdims))


def nanvar(x, axis=None, keepdims=False):
    """Variance over `axis` of the entries that are not NaN.

    Args:
        x: the tensor.
        axis: the axis or axes (None: all).
        keepdims: keep the reduced axes with size 1.

    Example:
        >>> ops.nanvar(np.array([1.0, np.nan, 3.0]))
        array(1.)
    """
    def run(x):
        ax = _axis_arg(axis)
        missing = isnan(x)
        count = knp.sum(knp.cast(logical_not(missing), knp.convert_to_tensor(x).dtype),
                        axis=ax, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = knp.divide(knp.sum(_filled(x, 0.0), axis=ax, keepdims=True), count)
            # centred values with the NaNs at 0: no NaN reaches the gradient
            d = knp.where(missing, 0.0, knp.subtract(x, mean))
            out = knp.divide(knp.sum(knp.square(d), axis=ax, keepdims=True), count)
        return out if keepdims else knp.squeeze(out, axis=ax)

    return composite("nanvar", run, (x,), _config(axis, keepdims))


def nanstd(x, axis=None, keepdims=False):
    """Standard deviation over `axis` of the entries that are not NaN.

    Args:
        x: the tensor.
        axis: the axis or axes (None: all).
        keepdims: keep the reduced axes with size 1.

    Example:
        >>> ops.nanstd(np.array([1.0, np.nan, 3.0]))
        array(1.)
    """
    return composite("nanstd", lambda x: knp.sqrt(nanvar(x, axis=axis, keepdims=keepdims)),
                     (x,), _config(axis, keepdims))


def nancumsum(x, axis=None, dtype=None):
    """Cumulative sum along `axis` (of the flattened x when None), NaNs counted as zero.

    Example:
        >>> ops.nancumsum(np.array([1.0, np.nan, 2.0]))
        array([1., 1., 3.])
    """
    return composite("nancumsum", lambda x: cumsum(_filled(x, 0.0), axis=axis, dtype=dtype),
                     (x,), {"axis": axis, "dtype": dtype})


def nancumprod(x, axis=None, dtype=None):
    """Cumulative product along `axis` (of the flattened x when None), NaNs counted as one.

    Example:
        >>> ops.nancumprod(np.array([2.0, np.nan, 3.0]))
        array([2., 2., 6.])
    """
    return composite("nancumprod", lambda x: cumprod(_filled(x, 1.0), axis=axis, dtype=dtype),
                     (x,), {"axis": axis, "dtype": dtype})


def _nan_arg(name, fn, x, axis, keepdims):
    def forward(xp, a):
        a = xp.asarray(a)
        allnan = xp.all(xp.isnan(a), axis=axis, keepdims=keepdims)
        filled = xp.where(xp.isnan(a), -np.inf if name == "nanargmax" else np.inf, a)
        out = fn(filled, axis=axis, keepdims=keepdims)
        return xp.asarray(xp.where(allnan, -1, out), dtype=np.int32)

    return op(name, forward, (x,), config={"axis": axis, "keepdims": keepdims})


def nanargmax(x, axis=None, keepdims=False):
    """Index of the maximum along `axis` ignoring NaNs (-1 where all are NaN); int32.

    Example:
        >>> ops.nanargmax(np.array([1.0, np.nan, 3.0]))
        array(2, dtype=int32)
    """
    return _nan_arg("nanargmax", np.argmax, x, axis, keepdims)


def nanargmin(x, axis=None, keepdims=False):
    """Index of the minimum along `axis` ignoring NaNs (-1 where all are NaN); int32.

    Example:
        >>> ops.nanargmin(np.array([1.0, np.nan, 3.0]))
        array(0, dtype=int32)
    """
    return _nan_arg("nanargmin", np.argmin, x, axis, keepdims)


def _quiet(fn, *args, **kwargs):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(*args, **kwargs)


def _float(a):
    """a on the host as floats (the NaN order statistics run there)."""
    a = _device.to_numpy(a)
    return a if a.dtype.kind == "f" else a.astype(np.float32)


def _nan_order(name, fn, x, q, axis, method, keepdims):
    """The op `name`: NumPy's `fn` (nanquantile or nanpercentile) of x at q, on the host."""
    def forward(xp, a):
        a = _float(a)
        return xp.asarray(_quiet(fn, a, np.asarray(q), axis=_axis_arg(axis), method=method,
                                 keepdims=keepdims)).astype(a.dtype)

    return op(name, forward, (x,),
              config={"q": q, "axis": _axis_arg(axis), "method": method, "keepdims": keepdims})


def nanmedian(x, axis=None, keepdims=False):
    """Median along `axis` ignoring NaNs (no gradient).

    Example:
        >>> ops.nanmedian(np.array([1.0, np.nan, 3.0, 4.0]))
        array(3.)
    """
    return op("nanmedian", lambda xp, a: xp.asarray(_quiet(
        np.nanmedian, _float(a), axis=_axis_arg(axis), keepdims=keepdims)), (x,),
        config=_config(axis, keepdims))


def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """The q-th quantiles along `axis` ignoring NaNs (no gradient).

    Args:
        x: the tensor.
        q: a quantile or a 1-D list of them, in [0, 1].
        axis: the axis or axes (None: all).
        method: 'linear', 'lower', 'higher', 'midpoint' or 'nearest'.
        keepdims: keep the reduced axes with size 1.

    Example:
        >>> ops.nanquantile(np.array([1.0, np.nan, 3.0]), 0.5)
        array(2.)
    """
    return _nan_order("nanquantile", np.nanquantile, x, q, axis, method, keepdims)


def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    """The q-th percentiles along `axis` ignoring NaNs (no gradient).

    Args:
        x: the tensor.
        q: a percentile or a 1-D list of them, in [0, 100].
        axis: the axis or axes (None: all).
        method: 'linear', 'lower', 'higher', 'midpoint' or 'nearest'.
        keepdims: keep the reduced axes with size 1.

    Example:
        >>> ops.nanpercentile(np.array([1.0, np.nan, 3.0]), 50.0)
        array(2.)
    """
    return _nan_order("nanpercentile", np.nanpercentile, x, q, axis, method, keepdims)
