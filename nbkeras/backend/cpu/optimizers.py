"""In-place optimizer update steps over flat (1-D) parameter arrays, as Keras 3 defines them."""

import math

from nbkeras.backend.cpu._jit import jit


@jit
def sgd_update(var, grad, lr):
    for i in range(var.size):
        var[i] -= lr * grad[i]


@jit
def sgd_momentum_update(var, grad, m, lr, momentum, nesterov):
    for i in range(var.size):
        g = grad[i]
        mi = momentum * m[i] - lr * g
        m[i] = mi
        if nesterov:
            var[i] += momentum * mi - lr * g
        else:
            var[i] += mi


@jit
def rmsprop_update(var, grad, vel, mom, avg, lr, rho, momentum, eps, centered):
    """`mom` and `avg` are used only when momentum > 0 and centered."""
    use_mom = momentum > 0.0
    for i in range(var.size):
        g = grad[i]
        v = rho * vel[i] + (1.0 - rho) * g * g
        vel[i] = v
        if centered:
            a = rho * avg[i] + (1.0 - rho) * g
            avg[i] = a
            denom = v - a * a + eps
        else:
            denom = v + eps
        inc = lr * g / math.sqrt(denom)
        if use_mom:
            mo = momentum * mom[i] + inc
            mom[i] = mo
            var[i] -= mo
        else:
            var[i] -= inc


@jit
def adam_update(var, grad, m, v, vhat, alpha, beta_1, beta_2, eps, amsgrad):
    """alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t); `vhat` is used only with amsgrad."""
    for i in range(var.size):
        g = grad[i]
        mi = m[i] + (g - m[i]) * (1.0 - beta_1)
        vi = v[i] + (g * g - v[i]) * (1.0 - beta_2)
        m[i] = mi
        v[i] = vi
        if amsgrad:
            vi = max(vhat[i], vi)
            vhat[i] = vi
        var[i] -= mi * alpha / (math.sqrt(vi) + eps)
