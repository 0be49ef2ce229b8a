"""In-place optimizer update steps over flat (1-D) parameter arrays, as Keras 3 defines them.

Each kernel loops one formula of `nbkeras.backend.formulas.optimizers` (shared with the
CUDA kernels) over the elements. Scalars come in the variables' dtype, so float32
variables update in float32 SIMD, as Keras computes (about 3x faster than float64).

They compile without fastmath: with it, LLVM may contract or reorder an element's
arithmetic differently in the SIMD body and in the scalar remainder of the loop, so one
element's update would depend on where it sits in the array, and the flat buffer
(`nbkeras.optimizers.flat_buffer`) would no longer be bit-identical to per-variable
updates. Without it the loops still vectorize (they have no reductions) at the same speed.
"""

from nbkeras.backend.cpu._jit import jit
from nbkeras.backend.formulas import optimizers as f


@jit(fastmath=False)
def sgd_update(var, grad, lr):
    for i in range(var.size):
        var[i] = f.sgd(var[i], grad[i], lr)


@jit(fastmath=False)
def sgd_momentum_update(var, grad, m, lr, momentum, nesterov):
    for i in range(var.size):
        var[i], m[i] = f.sgd_momentum(var[i], grad[i], m[i], lr, momentum, nesterov)


@jit(fastmath=False)
def rmsprop_update(var, grad, vel, mom, avg, lr, rho, one_minus_rho, momentum, eps, centered):
    """`mom` and `avg` are used only when momentum > 0 and centered (else 1-element dummies)."""
    use_mom = momentum > 0
    for i in range(var.size):
        mo = mom[i] if use_mom else mom[0]
        a = avg[i] if centered else avg[0]
        var[i], vel[i], mo, a = f.rmsprop(var[i], grad[i], vel[i], mo, a, lr, rho,
                                          one_minus_rho, momentum, eps, centered)
        if use_mom:
            mom[i] = mo
        if centered:
            avg[i] = a


@jit(fastmath=False)
def adam_update(var, grad, m, v, vhat, alpha, one_minus_beta_1, one_minus_beta_2, eps, amsgrad):
    """alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t); `vhat` is used only with amsgrad."""
    if amsgrad:
        for i in range(var.size):
            mi, vi = f.adam_moments(grad[i], m[i], v[i], one_minus_beta_1, one_minus_beta_2)
            m[i] = mi
            v[i] = vi
            vi = max(vhat[i], vi)
            vhat[i] = vi
            var[i] = f.adam_step(var[i], mi, vi, alpha, eps)
    else:
        for i in range(var.size):
            mi, vi = f.adam_moments(grad[i], m[i], v[i], one_minus_beta_1, one_minus_beta_2)
            m[i] = mi
            v[i] = vi
            var[i] = f.adam_step(var[i], mi, vi, alpha, eps)


@jit(fastmath=False)
def adagrad_update(var, grad, acc, lr, eps):
    """acc += g^2; w -= lr * g / sqrt(acc + eps)."""
    for i in range(var.size):
        var[i], acc[i] = f.adagrad(var[i], grad[i], acc[i], lr, eps)


@jit(fastmath=False)
def adadelta_update(var, grad, acc_grad, acc_delta, lr, rho, eps):
    """Adadelta: both accumulators are moving averages with decay `rho`."""
    for i in range(var.size):
        var[i], acc_grad[i], acc_delta[i] = f.adadelta(var[i], grad[i], acc_grad[i],
                                                       acc_delta[i], lr, rho, eps)


@jit(fastmath=False)
def adamax_update(var, grad, m, u, lr, bias, beta_1, beta_2, eps):
    """bias = 1 - beta_1^t; u is the exponentially weighted infinity norm."""
    for i in range(var.size):
        var[i], m[i], u[i] = f.adamax(var[i], grad[i], m[i], u[i], lr, bias, beta_1, beta_2, eps)


@jit(fastmath=False)
def nadam_update(var, grad, m, v, lr, beta_1, beta_2, eps, c_m, c_g, c_v):
    """Nadam with the precomputed momentum-schedule factors c_m, c_g, c_v (see the formula)."""
    for i in range(var.size):
        var[i], m[i], v[i] = f.nadam(var[i], grad[i], m[i], v[i], lr, beta_1, beta_2, eps,
                                     c_m, c_g, c_v)


@jit(fastmath=False)
def lion_update(var, grad, m, lr, beta_1, beta_2):
    """w -= lr * sign(beta_1 * m + (1 - beta_1) * g); then m = beta_2 * m + (1 - beta_2) * g."""
    for i in range(var.size):
        var[i], m[i] = f.lion(var[i], grad[i], m[i], lr, beta_1, beta_2)


@jit(fastmath=False)
def ftrl_update(var, grad, accum, linear, lr, neg_power, l1, two_l2, two_shrinkage):
    """FTRL-proximal, scalars in the variable's dtype (see the formula)."""
    for i in range(var.size):
        var[i], accum[i], linear[i] = f.ftrl(var[i], grad[i], accum[i], linear[i], lr,
                                             neg_power, l1, two_l2, two_shrinkage)


@jit(fastmath=False)
def weight_decay_update(var, weight_decay, lr):
    """Decoupled weight decay, w -= w * weight_decay * lr (scalars in the variable's dtype)."""
    for i in range(var.size):
        var[i] = f.weight_decay(var[i], weight_decay, lr)
