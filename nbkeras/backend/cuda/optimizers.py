"""In-place optimizer updates on the GPU over flat (1-D) arrays, one thread per element.

Same names, arguments and formulas as `nbkeras.backend.cpu.optimizers`. Each update is
one launch whatever the array holds, so an optimizer that keeps its variables (and
slots) as views of one flat buffer updates them all in a single launch.
"""

import math

from numba import cuda

from nbkeras.backend.cuda._launch import kernel, launch


@kernel
def _sgd(var, grad, lr):
    i = cuda.grid(1)
    if i < var.size:
        var[i] -= lr * grad[i]


@kernel
def _sgd_momentum(var, grad, m, lr, momentum, nesterov):
    i = cuda.grid(1)
    if i < var.size:
        g = grad[i]
        mi = momentum * m[i] - lr * g
        m[i] = mi
        if nesterov:
            var[i] += momentum * mi - lr * g
        else:
            var[i] += mi


@kernel
def _rmsprop(var, grad, vel, mom, avg, lr, rho, one_minus_rho, momentum, eps, centered):
    i = cuda.grid(1)
    if i < var.size:
        g = grad[i]
        v = rho * vel[i] + one_minus_rho * g * g
        vel[i] = v
        if centered:
            a = rho * avg[i] + one_minus_rho * g
            avg[i] = a
            denom = v - a * a + eps
        else:
            denom = v + eps
        inc = lr * g / math.sqrt(denom)
        if momentum > 0:
            mo = momentum * mom[i] + inc
            mom[i] = mo
            var[i] -= mo
        else:
            var[i] -= inc


@kernel
def _adam(var, grad, m, v, vhat, alpha, one_minus_beta_1, one_minus_beta_2, eps, amsgrad):
    i = cuda.grid(1)
    if i < var.size:
        g = grad[i]
        mi = m[i] + (g - m[i]) * one_minus_beta_1
        vi = v[i] + (g * g - v[i]) * one_minus_beta_2
        m[i] = mi
        v[i] = vi
        if amsgrad:
            vi = max(vhat[i], vi)
            vhat[i] = vi
        var[i] -= mi * alpha / (math.sqrt(vi) + eps)


@kernel
def _adagrad(var, grad, acc, lr, eps):
    i = cuda.grid(1)
    if i < var.size:
        g = grad[i]
        a = acc[i] + g * g
        acc[i] = a
        var[i] -= lr * g / math.sqrt(a + eps)


@kernel
def _adadelta(var, grad, acc_grad, acc_delta, lr, rho, eps):
    i = cuda.grid(1)
    if i < var.size:
        g = grad[i]
        ag = rho * acc_grad[i] + (1.0 - rho) * g * g
        acc_grad[i] = ag
        delta = -math.sqrt(acc_delta[i] + eps) * g / math.sqrt(ag + eps)
        acc_delta[i] = rho * acc_delta[i] + (1.0 - rho) * delta * delta
        var[i] += lr * delta


@kernel
def _adamax(var, grad, m, u, lr, bias, beta_1, beta_2, eps):
    i = cuda.grid(1)
    if i < var.size:
        g = grad[i]
        mi = m[i] + (g - m[i]) * (1.0 - beta_1)
        m[i] = mi
        ui = max(beta_2 * u[i], abs(g))
        u[i] = ui
        var[i] -= lr * mi / (bias * (ui + eps))


@kernel
def _nadam(var, grad, m, v, lr, beta_1, beta_2, eps, c_m, c_g, c_v):
    i = cuda.grid(1)
    if i < var.size:
        g = grad[i]
        mi = m[i] + (g - m[i]) * (1.0 - beta_1)
        vi = v[i] + (g * g - v[i]) * (1.0 - beta_2)
        m[i] = mi
        v[i] = vi
        var[i] -= (c_m * mi + c_g * g) * lr / (math.sqrt(vi * c_v) + eps)


@kernel
def _lion(var, grad, m, lr, beta_1, beta_2):
    i = cuda.grid(1)
    if i < var.size:
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


@kernel
def _ftrl(var, grad, accum, linear, lr, neg_power, l1, two_l2, two_shrinkage):
    i = cuda.grid(1)
    if i < var.size:
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


@kernel
def _weight_decay(var, weight_decay, lr):
    i = cuda.grid(1)
    if i < var.size:
        var[i] -= var[i] * weight_decay * lr


def sgd_update(var, grad, lr):
    """w -= lr * g."""
    launch(_sgd, var.size, var, grad, lr)


def sgd_momentum_update(var, grad, m, lr, momentum, nesterov):
    """m = momentum * m - lr * g; w += m (or the Nesterov step)."""
    launch(_sgd_momentum, var.size, var, grad, m, lr, momentum, bool(nesterov))


def rmsprop_update(var, grad, vel, mom, avg, lr, rho, one_minus_rho, momentum, eps, centered):
    """`mom` and `avg` are used only when momentum > 0 and centered."""
    launch(_rmsprop, var.size, var, grad, vel, mom, avg, lr, rho, one_minus_rho, momentum, eps,
           bool(centered))


def adam_update(var, grad, m, v, vhat, alpha, one_minus_beta_1, one_minus_beta_2, eps, amsgrad):
    """alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t); `vhat` is used only with amsgrad."""
    launch(_adam, var.size, var, grad, m, v, vhat, alpha, one_minus_beta_1, one_minus_beta_2, eps,
           bool(amsgrad))


def adagrad_update(var, grad, acc, lr, eps):
    """acc += g^2; w -= lr * g / sqrt(acc + eps)."""
    launch(_adagrad, var.size, var, grad, acc, lr, eps)


def adadelta_update(var, grad, acc_grad, acc_delta, lr, rho, eps):
    """Adadelta: both accumulators are moving averages with decay `rho`."""
    launch(_adadelta, var.size, var, grad, acc_grad, acc_delta, lr, rho, eps)


def adamax_update(var, grad, m, u, lr, bias, beta_1, beta_2, eps):
    """bias = 1 - beta_1^t; u is the exponentially weighted infinity norm."""
    launch(_adamax, var.size, var, grad, m, u, lr, bias, beta_1, beta_2, eps)


def nadam_update(var, grad, m, v, lr, beta_1, beta_2, eps, c_m, c_g, c_v):
    """Nadam with the CPU kernel's precomputed momentum-schedule factors c_m, c_g, c_v."""
    launch(_nadam, var.size, var, grad, m, v, lr, beta_1, beta_2, eps, c_m, c_g, c_v)


def lion_update(var, grad, m, lr, beta_1, beta_2):
    """w -= lr * sign(beta_1 * m + (1 - beta_1) * g); then m = beta_2 * m + (1 - beta_2) * g."""
    launch(_lion, var.size, var, grad, m, lr, beta_1, beta_2)


def ftrl_update(var, grad, accum, linear, lr, neg_power, l1, two_l2, two_shrinkage):
    """FTRL-proximal, as the CPU kernel (scalars in the variable's dtype)."""
    launch(_ftrl, var.size, var, grad, accum, linear, lr, neg_power, l1, two_l2, two_shrinkage)


def weight_decay_update(var, weight_decay, lr):
    """Decoupled weight decay, w -= w * weight_decay * lr."""
    launch(_weight_decay, var.size, var, weight_decay, lr)
