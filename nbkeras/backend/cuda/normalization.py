"""Batch-normalization kernels on the GPU over a 2-D view (rows, channels).

Same names and arguments as `nbkeras.backend.cpu.normalization`. The per-channel
moments are one thread per channel (a float64 sum over the rows); the normalized
output and the input gradient are one thread per element.
"""

import math

from numba import cuda

from nbkeras.backend.cuda._launch import kernel, launch


@kernel
def _moments(x, eps, mean, var, inv_std):
    j = cuda.grid(1)
    n, c = x.shape
    if j < c:
        acc = 0.0
        for i in range(n):
            acc += x[i, j]
        mu = acc / n
        mean[j] = mu
        mu = mean[j]  # centre on the stored mean, as the CPU kernel does
        acc = 0.0
        for i in range(n):
            d = x[i, j] - mu
            acc += d * d
        var[j] = acc / n
        inv_std[j] = 1.0 / math.sqrt(var[j] + eps)


@kernel
def _normalize(x, gamma, beta, mean, inv_std, y):
    t = cuda.grid(1)
    c = x.shape[1]
    if t < x.size:
        i = t // c
        j = t - i * c
        y[i, j] = (x[i, j] - mean[j]) * inv_std[j] * gamma[j] + beta[j]


@kernel
def _infer(x, gamma, beta, mean, var, eps, y):
    t = cuda.grid(1)
    c = x.shape[1]
    if t < x.size:
        i = t // c
        j = t - i * c
        y[i, j] = (x[i, j] - mean[j]) / math.sqrt(var[j] + eps) * gamma[j] + beta[j]


@kernel
def _grad_sums(g, x, mean, inv_std, dgamma, dbeta):
    j = cuda.grid(1)
    if j < x.shape[1]:
        sg = 0.0
        sgx = 0.0
        for i in range(x.shape[0]):
            gv = g[i, j]
            sg += gv
            sgx += gv * (x[i, j] - mean[j]) * inv_std[j]
        dbeta[j] = sg
        dgamma[j] = sgx


@kernel
def _grad_x(g, x, gamma, mean, inv_std, dgamma, dbeta, dx):
    t = cuda.grid(1)
    n, c = x.shape
    if t < x.size:
        i = t // c
        j = t - i * c
        xhat = (x[i, j] - mean[j]) * inv_std[j]
        dx[i, j] = gamma[j] * inv_std[j] / n * (n * g[i, j] - dbeta[j] - xhat * dgamma[j])


def batch_norm_train_forward(x, gamma, beta, eps, y, mean, var, inv_std):
    """Normalizes with the batch moments; writes mean, biased variance and 1/std."""
    launch(_moments, x.shape[1], x, float(eps), mean, var, inv_std)
    launch(_normalize, x.size, x, gamma, beta, mean, inv_std, y)


def batch_norm_infer_forward(x, gamma, beta, mean, var, eps, y):
    """y = (x - mean) / sqrt(var + eps) * gamma + beta."""
    launch(_infer, x.size, x, gamma, beta, mean, var, float(eps), y)


def batch_norm_train_backward(g, x, gamma, mean, inv_std, dx, dgamma, dbeta):
    """Gradients of the training-mode forward with respect to x, gamma and beta."""
    launch(_grad_sums, x.shape[1], g, x, mean, inv_std, dgamma, dbeta)
    launch(_grad_x, x.size, g, x, gamma, mean, inv_std, dgamma, dbeta, dx)


@kernel
def _ln_forward(x, gamma, beta, eps, y, mean, inv_std):
    i = cuda.grid(1)
    n, c = x.shape
    if i < n:
        s = 0.0
        for j in range(c):
            s += float(x[i, j])  # float64 sums, as on the CPU
        mu = s / c
        s = 0.0
        for j in range(c):
            d = float(x[i, j]) - mu
            s += d * d
        inv = 1.0 / math.sqrt(s / c + eps)
        mean[i] = mu
        inv_std[i] = inv
        for j in range(c):
            v = (x[i, j] - mu) * inv
            if gamma.size > 0:
                v *= gamma[j]
            if beta.size > 0:
                v += beta[j]
            y[i, j] = v


@kernel
def _ln_grad_x(g, x, gamma, mean, inv_std, dx):
    i = cuda.grid(1)
    n, c = x.shape
    if i < n:
        mu, inv = mean[i], inv_std[i]
        a = 0.0
        b = 0.0
        for j in range(c):
            dxh = g[i, j] * gamma[j] if gamma.size > 0 else g[i, j]
            a += dxh
            b += dxh * (x[i, j] - mu) * inv
        a /= c
        b /= c
        for j in range(c):
            dxh = g[i, j] * gamma[j] if gamma.size > 0 else g[i, j]
            dx[i, j] = inv * (dxh - a - (x[i, j] - mu) * inv * b)


@kernel
def _ln_grad_affine(g, x, mean, inv_std, dgamma, dbeta):
    j = cuda.grid(1)
    if j < x.shape[1]:
        sg = 0.0
        sgx = 0.0
        for i in range(x.shape[0]):
            gv = g[i, j]
            sg += gv
            sgx += gv * (x[i, j] - mean[i]) * inv_std[i]
        if dgamma.size > 0:
            dgamma[j] = sgx
        if dbeta.size > 0:
            dbeta[j] = sg


def layer_norm_forward(x, gamma, beta, eps, y, mean, inv_std):
    """Normalizes each row with its own moments; y = xhat * gamma + beta (empty: none)."""
    launch(_ln_forward, x.shape[0], x, gamma, beta, float(eps), y, mean, inv_std)


def layer_norm_backward(g, x, gamma, mean, inv_std, dx, dgamma, dbeta):
    """Gradients of `layer_norm_forward` w.r.t. x, gamma and beta (when non-empty)."""
    launch(_ln_grad_x, x.shape[0], g, x, gamma, mean, inv_std, dx)
    if dgamma.size > 0 or dbeta.size > 0:
        launch(_ln_grad_affine, x.shape[1], g, x, mean, inv_std, dgamma, dbeta)
