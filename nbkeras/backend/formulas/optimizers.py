"""Optimizer update rules, per element, as Keras 3 defines them. Each takes the old
values of one element (weight `w`, gradient `g`, slots) and the step's scalars, and
returns the new values of what it updates. The CPU kernels loop over them; the CUDA
kernels run one thread per element."""

import math

from nbkeras.backend.formulas._formula import formula


@formula
def sgd(w, g, lr):
    """New w: w - lr * g."""
    return w - lr * g


@formula
def sgd_momentum(w, g, m, lr, momentum, nesterov):
    """(w, m): m = momentum * m - lr * g; w += m (Nesterov: w += momentum * m - lr * g)."""
    m = momentum * m - lr * g
    if nesterov:
        return w + (momentum * m - lr * g), m
    return w + m, m


@formula
def rmsprop(w, g, vel, mom, avg, lr, rho, one_minus_rho, momentum, eps, centered):
    """(w, vel, mom, avg); `mom` is used only when momentum > 0 and `avg` only when centered
    (the others come back unchanged)."""
    vel = rho * vel + one_minus_rho * g * g
    if centered:
        avg = rho * avg + one_minus_rho * g
        denom = vel - avg * avg + eps
    else:
        denom = vel + eps
    inc = lr * g / math.sqrt(denom)
    if momentum > 0:
        mom = momentum * mom + inc
        return w - mom, vel, mom, avg
    return w - inc, vel, mom, avg


@formula
def adam_moments(g, m, v, one_minus_beta_1, one_minus_beta_2):
    """(m, v): the moving averages of g and g^2 (Adam, AdamW)."""
    return m + (g - m) * one_minus_beta_1, v + (g * g - v) * one_minus_beta_2


@formula
def adam_step(w, m, v, alpha, eps):
    """New w: w - m * alpha / (sqrt(v) + eps), alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
    (v is the AMSGrad maximum when amsgrad is on)."""
    return w - m * alpha / (math.sqrt(v) + eps)


@formula
def adagrad(w, g, acc, lr, eps):
    """(w, acc): acc += g^2; w -= lr * g / sqrt(acc + eps)."""
    acc = acc + g * g
    return w - lr * g / math.sqrt(acc + eps), acc


@formula
def adadelta(w, g, acc_grad, acc_delta, lr, rho, eps):
    """(w, acc_grad, acc_delta): both accumulators are moving averages with decay rho."""
    acc_grad = rho * acc_grad + (1.0 - rho) * g * g
    delta = -math.sqrt(acc_delta + eps) * g / math.sqrt(acc_grad + eps)
    acc_delta = rho * acc_delta + (1.0 - rho) * delta * delta
    return w + lr * delta, acc_grad, acc_delta


@formula
def adamax(w, g, m, u, lr, bias, beta_1, beta_2, eps):
    """(w, m, u): bias = 1 - beta_1^t; u is the exponentially weighted infinity norm."""
    m = m + (g - m) * (1.0 - beta_1)
    u = max(beta_2 * u, abs(g))
    return w - lr * m / (bias * (u + eps)), m, u


@formula
def nadam(w, g, m, v, lr, beta_1, beta_2, eps, c_m, c_g, c_v):
    """(w, m, v), with the momentum-schedule factors c_m = u_{t+1} / (1 - prod u_1..u_{t+1}),
    c_g = (1 - u_t) / (1 - prod u_1..u_t) and c_v = 1 / (1 - beta_2^t)."""
    m = m + (g - m) * (1.0 - beta_1)
    v = v + (g * g - v) * (1.0 - beta_2)
    return w - (c_m * m + c_g * g) * lr / (math.sqrt(v * c_v) + eps), m, v


@formula
def lion(w, g, m, lr, beta_1, beta_2):
    """(w, m): w -= lr * sign(beta_1 * m + (1 - beta_1) * g); m = beta_2 * m + (1 - beta_2) * g."""
    c = m * beta_1 + g * (1.0 - beta_1)
    if c > 0:
        s = 1.0
    elif c < 0:
        s = -1.0
    else:
        s = c * 0.0  # 0, or NaN for NaN
    return w - lr * s, m * beta_2 + g * (1.0 - beta_2)


@formula
def ftrl(w, g, accum, linear, lr, neg_power, l1, two_l2, two_shrinkage):
    """(w, accum, linear), FTRL-proximal: neg_power = -learning_rate_power,
    two_l2 = 2 * (l2 + beta / (2 * lr)); computed at the variable's precision, as Keras does
    (the linear term is a difference of large numbers)."""
    new_a = accum + g * g
    p_new = new_a ** neg_power
    linear = linear + ((g + two_shrinkage * w) - (p_new - accum ** neg_power) / lr * w)
    quadratic = p_new / lr + two_l2
    clipped = min(max(linear, -l1), l1)
    return (clipped - linear) / quadratic, new_a, linear


@formula
def weight_decay(w, wd, lr):
    """New w: w - w * wd * lr (decoupled weight decay)."""
    return w - w * wd * lr
