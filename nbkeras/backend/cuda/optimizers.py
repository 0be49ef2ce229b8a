"""In-place optimizer updates on the GPU over flat (1-D) arrays, one thread per element.

Same names, arguments and formulas as `nbkeras.backend.cpu.optimizers`. Each update is
one launch whatever the array holds, so an optimizer that keeps its variables (and
slots) as views of one flat buffer updates them all in a single launch. Each kernel runs
one formula of `nbkeras.backend.formulas.optimizers` (the CPU kernels loop the same one).
"""

from numba import cuda

from nbkeras.backend.cuda._launch import formulas, kernel, launch
from nbkeras.backend.formulas import optimizers

f = formulas(optimizers)


@kernel
def _sgd(var, grad, lr):
    i = cuda.grid(1)
    if i < var.size:
        var[i] = f.sgd(var[i], grad[i], lr)


@kernel
def _sgd_momentum(var, grad, m, lr, momentum, nesterov):
    i = cuda.grid(1)
    if i < var.size:
        var[i], m[i] = f.sgd_momentum(var[i], grad[i], m[i], lr, momentum, nesterov)


@kernel
def _rmsprop(var, grad, vel, mom, avg, lr, rho, one_minus_rho, momentum, eps, centered):
    i = cuda.grid(1)
    if i < var.size:
        use_mom = momentum > 0
        mo = mom[i] if use_mom else mom[0]
        a = avg[i] if centered else avg[0]
        var[i], vel[i], mo, a = f.rmsprop(var[i], grad[i], vel[i], mo, a, lr, rho, one_minus_rho,
                                          momentum, eps, centered)
        if use_mom:
            mom[i] = mo
        if centered:
            avg[i] = a


@kernel
def _adam(var, grad, m, v, vhat, alpha, one_minus_beta_1, one_minus_beta_2, eps, amsgrad):
    i = cuda.grid(1)
    if i < var.size:
        mi, vi = f.adam_moments(grad[i], m[i], v[i], one_minus_beta_1, one_minus_beta_2)
        m[i] = mi
        v[i] = vi
        if amsgrad:
            vi = max(vhat[i], vi)
            vhat[i] = vi
        var[i] = f.adam_step(var[i], mi, vi, alpha, eps)


@kernel
def _adagrad(var, grad, acc, lr, eps):
    i = cuda.grid(1)
    if i < var.size:
        var[i], acc[i] = f.adagrad(var[i], grad[i], acc[i], lr, eps)


@kernel
def _adadelta(var, grad, acc_grad, acc_delta, lr, rho, eps):
    i = cuda.grid(1)
    if i < var.size:
        var[i], acc_grad[i], acc_delta[i] = f.adadelta(var[i], grad[i], acc_grad[i],
                                                       acc_delta[i], lr, rho, eps)


@kernel
def _adamax(var, grad, m, u, lr, bias, beta_1, beta_2, eps):
    i = cuda.grid(1)
    if i < var.size:
        var[i], m[i], u[i] = f.adamax(var[i], grad[i], m[i], u[i], lr, bias, beta_1, beta_2, eps)


@kernel
def _nadam(var, grad, m, v, lr, beta_1, beta_2, eps, c_m, c_g, c_v):
    i = cuda.grid(1)
    if i < var.size:
        var[i], m[i], v[i] = f.nadam(var[i], grad[i], m[i], v[i], lr, beta_1, beta_2, eps,
                                     c_m, c_g, c_v)


@kernel
def _lion(var, grad, m, lr, beta_1, beta_2):
    i = cuda.grid(1)
    if i < var.size:
        var[i], m[i] = f.lion(var[i], grad[i], m[i], lr, beta_1, beta_2)


@kernel
def _ftrl(var, grad, accum, linear, lr, neg_power, l1, two_l2, two_shrinkage):
    i = cuda.grid(1)
    if i < var.size:
        var[i], accum[i], linear[i] = f.ftrl(var[i], grad[i], accum[i], linear[i], lr,
                                             neg_power, l1, two_l2, two_shrinkage)


@kernel
def _weight_decay(var, weight_decay, lr):
    i = cuda.grid(1)
    if i < var.size:
        var[i] = f.weight_decay(var[i], weight_decay, lr)


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
