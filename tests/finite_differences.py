"""Central differences for the gradient tests (they run in float64: `pytestmark =
pytest.mark.usefixtures("float64")`, the fixture in conftest.py).

Example:
    >>> buf = np.array([1.0, 2.0])
    >>> fd(lambda: float(np.sum(buf ** 2)), buf)
    array([2., 4.])
"""

import numpy as np


def fd(f, buf, eps=1e-6):
    """Central differences of the scalar f() w.r.t. every entry of `buf` (perturbed in place)."""
    g = np.zeros(buf.shape)
    for idx in np.ndindex(buf.shape):
        orig = buf[idx]
        buf[idx] = orig + eps
        fp = f()
        buf[idx] = orig - eps
        fm = f()
        buf[idx] = orig
        g[idx] = (fp - fm) / (2 * eps)
    return g


def fd_variable(f, var, eps=1e-6):
    """Like `fd`, but perturbs a Variable through its public `assign` (restored after)."""
    buf = var.numpy().copy()

    def g():
        var.assign(buf)
        return f()

    out = fd(g, buf, eps)
    var.assign(buf)
    return out


def avoid(x, points, margin=0.1):
    """Push entries within `margin` of any kink in `points` out to distance `margin`."""
    x = np.array(x, dtype=np.float64)
    for p in points:
        near = np.abs(x - p) < margin
        x[near] = p + np.where(x[near] >= p, margin, -margin)
    return x
