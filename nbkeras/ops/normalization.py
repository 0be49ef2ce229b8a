"""`ops.layer_normalization`: Keras 3's layer normalization as one fused op.

Over trailing axes (the usual last axis), the input is viewed as (rows, features) and
one kernel pair normalizes each row and differentiates it (`layer_norm_forward` /
`_backward`), in place of the nine ops and tape nodes of the composite formula. Other
axes, and Keras's deprecated `rms_scaling`, run the composite formula.
"""

import numpy as np

from nbkeras import config as _config
from nbkeras.backend import kernels as K
from nbkeras.ops.core import composite, op


def _axes(axis, ndim):
    axes = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
    out = []
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)) or not -ndim <= a < ndim:
            raise ValueError(f"Invalid axis: {a}. Expected an axis in [{-ndim}, {ndim}). "
                             f"Received: axis={axis}")
        out.append(int(a) % ndim)
    return sorted(set(out))


def _composite(x, gamma, beta, axes, epsilon, rms_scaling):
    from nbkeras import ops as onp

    shape = [1] * x.ndim
    for a in axes:
        shape[a] = x.shape[a]

    def bcast(v):
        return None if v is None else onp.reshape(v, shape)

    gamma, beta = bcast(gamma), bcast(beta)
    if rms_scaling:  # Keras's documented quirk: it scales by the variance
        out = onp.multiply(x, onp.divide(1.0, onp.sqrt(onp.add(
            onp.var(x, axis=axes, keepdims=True), epsilon))))
        return out if gamma is None else onp.multiply(out, gamma)
    centered = onp.subtract(x, onp.mean(x, axis=axes, keepdims=True))
    var = onp.mean(onp.square(centered), axis=axes, keepdims=True)
    out = onp.divide(centered, onp.sqrt(onp.add(var, epsilon)))
    if gamma is not None:
        out = onp.multiply(out, gamma)
    return out if beta is None else onp.add(out, beta)


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """Normalize x over `axis` to zero mean and unit variance, then scale and shift.

    `(x - mean) / sqrt(var + epsilon) * gamma + beta`, with the moments of each slice
    over `axis`.

    Args:
        x: input tensor.
        gamma: optional scale, shaped like the normalized axes.
        beta: optional offset, shaped like the normalized axes.
        axis: an axis or list of axes to normalize over (default the last).
        epsilon: added to the variance (`config.epsilon()` when None).
        rms_scaling: Keras's deprecated variant: `x / sqrt(var + epsilon) * gamma`.

    Example:
        >>> ops.layer_normalization(np.arange(5, dtype="float32"))
        array([-1.4142135 , -0.70710677,  0.        ,  0.70710677,  1.4142135 ], dtype=float32)
    """
    rms_scaling = bool(kwargs.pop("rms_scaling", False))
    if kwargs:
        raise TypeError(f"Unknown arguments for `layer_normalization`: {sorted(kwargs)}. "
                        f"Received: {kwargs}")
    eps = float(_config.epsilon() if epsilon is None else epsilon)
    ndim = len(x.shape) if hasattr(x, "shape") else np.ndim(x)
    axes = _axes(axis, max(ndim, 1))
    trailing = axes == list(range(ndim - len(axes), ndim)) and ndim > 0
    if rms_scaling or not trailing:
        return composite("layer_normalization",
                         lambda x, g, b: _composite(x, g, b, axes, eps, rms_scaling),
                         (x, gamma, beta),
                         {"axis": axis, "epsilon": epsilon, "rms_scaling": rms_scaling})
    st = {}

    def forward(xp, xa, g, b):
        xa = xp.asarray(xa)
        dt = xa.dtype if xa.dtype.kind == "f" else np.dtype(_config.floatx())
        xa = xp.ascontiguousarray(xa, dtype=dt)
        c = int(np.prod(xa.shape[ndim - len(axes):]))
        x2 = xa.reshape(-1, c)
        empty = xp.zeros(0, dt)
        for name, v in (("gamma", g), ("beta", b)):
            if v is not None and int(np.prod(v.shape)) != c:
                raise ValueError(
                    f"`layer_normalization`'s {name} must have one value per normalized "
                    f"element ({c}, the shape {tuple(xa.shape[ndim - len(axes):])}). "
                    f"Received: {name}.shape={tuple(v.shape)}")
        g1 = empty if g is None else xp.ascontiguousarray(xp.asarray(g), dtype=dt).reshape(-1)
        b1 = empty if b is None else xp.ascontiguousarray(xp.asarray(b), dtype=dt).reshape(-1)
        y = xp.empty_like(x2)
        mean = xp.empty(x2.shape[0], np.float64)
        inv_std = xp.empty(x2.shape[0], np.float64)
        K.layer_norm_forward(x2, g1, b1, eps, y, mean, inv_std)
        st.update(x2=x2, g1=g1, mean=mean, inv_std=inv_std, shape=xa.shape)
        return y.reshape(xa.shape)

    def backward(xp, g, needs, arrays, out):
        x2 = st["x2"]
        g2 = xp.ascontiguousarray(g, dtype=x2.dtype).reshape(x2.shape)
        c = x2.shape[1]
        dx = xp.empty_like(x2)
        dgamma = xp.empty(c, x2.dtype) if needs[1] else xp.zeros(0, x2.dtype)
        dbeta = xp.empty(c, x2.dtype) if needs[2] else xp.zeros(0, x2.dtype)
        K.layer_norm_backward(g2, x2, st["g1"], st["mean"], st["inv_std"], dx, dgamma, dbeta)
        res = [dx.reshape(st["shape"]) if needs[0] else None]
        for need, d, src in ((needs[1], dgamma, arrays[1]), (needs[2], dbeta, arrays[2])):
            res.append(d.reshape(src.shape).astype(src.dtype, copy=False) if need else None)
        return tuple(res)

    return op("layer_normalization", forward, (x, gamma, beta), backward,
              {"axis": axis, "epsilon": epsilon, "rms_scaling": rms_scaling})
