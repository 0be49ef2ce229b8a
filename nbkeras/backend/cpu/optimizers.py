"""In-place optimizer update steps over flat (1-D) parameter arrays, as Keras 3 defines them."""

import math

import numpy as np

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
def rmsprop_update(var, grad, vel, mom, avg, lr, rho, one_minus_rho, momentum, eps, centered):
    """`mom` and `avg` are used only when momentum > 0 and centered.

    Scalars come in the variables' dtype, so float32 variables update in float32 SIMD.
    """
    use_mom = momentum > 0
    for i in range(var.size):
        g = grad[i]
        v = rho * vel[i] + one_minus_rho * g * g
        vel[i] = v
        if centered:
            a = rho * avg[i] + one_minus_rho * g
            avg[i] = a
            denom = v - a * a + eps
        else:
            denom = v + eps
        inc = lr * g / np.sqrt(denom)
        if use_mom:
            mo = momentum * mom[i] + inc
            mom[i] = mo
            var[i] -= mo
        else:
            var[i] -= inc


@jit
def adam_update(var, grad, m, v, vhat, alpha, one_minus_beta_1, one_minus_beta_2, eps, amsgrad):
    """alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t); `vhat` is used only with amsgrad.

    Scalars come in the variables' dtype, so float32 variables update in float32 SIMD
    (as Keras computes), about 3x faster than float64 arithmetic.
    """
    if amsgrad:
        for i in range(var.size):
            g = grad[i]
            mi = m[i] + (g - m[i]) * one_minus_beta_1
            vi = v[i] + (g * g - v[i]) * one_minus_beta_2
            m[i] = mi
            v[i] = vi
            vi = max(vhat[i], vi)
            vhat[i] = vi
            var[i] -= mi * alpha / (np.sqrt(vi) + eps)
    else:
        for i in range(var.size):
            g = grad[i]
            mi = m[i] + (g - m[i]) * one_minus_beta_1
            vi = v[i] + (g * g - v[i]) * one_minus_beta_2
            m[i] = mi
            v[i] = vi
            var[i] -= mi * alpha / (np.sqrt(vi) + eps)


@jit
def adagrad_update(var, grad, acc, lr, eps):
    """acc += g^2; w -= lr * g / sqrt(acc + eps)."""
    for i in range(var.size):
        g = grad[i]
        a = acc[i] + g * g
        acc[i] = a
        var[i] -= lr * g / math.sqrt(a + eps)


@jit
def adadelta_update(var, grad, acc_grad, acc_delta, lr, rho, eps):
    """Adadelta: both accumulators are moving averages with decay `rho`."""
    for i in range(var.size):
        g = grad[i]
        ag = rho * acc_grad[i] + (1.0 - rho) * g * g
        acc_grad[i] = ag
        delta = -math.sqrt(acc_delta[i] + eps) * g / math.sqrt(ag + eps)
        acc_delta[i] = rho * acc_delta[i] + (1.0 - rho) * delta * delta
        var[i] += lr * delta


@jit
def adamax_update(var, grad, m, u, lr, bias, beta_1, beta_2, eps):
    """bias = 1 - beta_1^t; u is the exponentially weighted infinity norm."""
    for i in range(var.size):
        g = grad[i]
        mi = m[i] + (g - m[i]) * (1.0 - beta_1)
        m[i] = mi
        ui = max(beta_2 * u[i], abs(g))
        u[i] = ui
        var[i] -= lr * mi / (bias * (ui + eps))


@jit
def nadam_update(var, grad, m, v, lr, beta_1, beta_2, eps, c_m, c_g, c_v):
    """c_m = u_{t+1} / (1 - prod u_1..u_{t+1}), c_g = (1 - u_t) / (1 - prod u_1..u_t),
    c_v = 1 / (1 - beta_2^t)."""
    for i in range(var.size):
        g = grad[i]
        mi = m[i] + (g - m[i]) * (1.0 - beta_1)
        vi = v[i] + (g * g - v[i]) * (1.0 - beta_2)
        m[i] = mi
        v[i] = vi
        m_hat = c_m * mi + c_g * g
        var[i] -= m_hat * lr / (math.sqrt(vi * c_v) + eps)


@jit
def lion_update(var, grad, m, lr, beta_1, beta_2):
    """w -= lr * sign(beta_1 * m + (1 - beta_1) * g); then m = beta_2 * m + (1 - beta_2) * g."""
    for i in range(var.size):
        g = grad[i]
        c = m[i] * beta_1 + g * (1.0 - beta_1)
        if c > 0:
            s = 1.0
        elif c < 0:
            s = -1.0
        else:
            s = c * 0.0  # 0, or NaN for NaN
        var[i] -= lr * s
        m[i] = m[i] * beta_2 + g * (1.0 - beta_2)


@jit
def ftrl_update(var, grad, accum, linear, lr, neg_power, l1, two_l2, two_shrinkage):
    """FTRL-proximal. Scalars come in the variable's dtype (the linear term is a difference of
    large numbers, so it is computed at the variable's precision, as Keras does);
    neg_power = -learning_rate_power, two_l2 = 2 * (l2 + beta / (2 * lr))."""
    for i in range(var.size):
        g = grad[i]
        w = var[i]
        a = accum[i]
        new_a = a + g * g
        p_new = new_a ** neg_power
        lin = linear[i] + ((g + two_shrinkage * w) - (p_new - a ** neg_power) / lr * w)
        linear[i] = lin
        quadratic = p_new / lr + two_l2
        clipped = min(max(lin, -l1), l1)
        var[i] = (clipped - lin) / quadratic
        accum[i] = new_a


@jit
def weight_decay_update(var, weight_decay, lr):
    """Decoupled weight decay, w -= w * weight_decay * lr (scalars in the variable's dtype)."""
    for i in range(var.size):
        var[i] -= var[i] * weight_decay * lr
