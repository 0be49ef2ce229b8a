"""Batch-normalization kernels over a 2-D view (rows, channels)."""

import math

import numpy as np

from nbkeras.backend.cpu._jit import jit


@jit
def batch_norm_train_forward(x, gamma, beta, eps, y, mean, var, inv_std):
    """Normalizes with the batch moments; writes mean, biased variance and 1/std."""
    n, c = x.shape
    acc = np.zeros(c, dtype=np.float64)
    for i in range(n):
        for j in range(c):
            acc[j] += x[i, j]
    for j in range(c):
        mean[j] = acc[j] / n
        acc[j] = 0.0
    for i in range(n):
        for j in range(c):
            d = x[i, j] - mean[j]
            acc[j] += d * d
    for j in range(c):
        var[j] = acc[j] / n
        inv_std[j] = 1.0 / math.sqrt(var[j] + eps)
    for i in range(n):
        for j in range(c):
            y[i, j] = (x[i, j] - mean[j]) * inv_std[j] * gamma[j] + beta[j]


@jit
def batch_norm_infer_forward(x, gamma, beta, mean, var, eps, y):
    n, c = x.shape
    for i in range(n):
        for j in range(c):
            y[i, j] = (x[i, j] - mean[j]) / math.sqrt(var[j] + eps) * gamma[j] + beta[j]


@jit
def batch_norm_train_backward(g, x, gamma, mean, inv_std, dx, dgamma, dbeta):
    """Gradients of the training-mode forward with respect to x, gamma and beta."""
    n, c = x.shape
    sg = np.zeros(c, dtype=np.float64)
    sgx = np.zeros(c, dtype=np.float64)
    for i in range(n):
        for j in range(c):
            gv = g[i, j]
            sg[j] += gv
            sgx[j] += gv * (x[i, j] - mean[j]) * inv_std[j]
    for j in range(c):
        dbeta[j] = sg[j]
        dgamma[j] = sgx[j]
    for i in range(n):
        for j in range(c):
            xhat = (x[i, j] - mean[j]) * inv_std[j]
            dx[i, j] = gamma[j] * inv_std[j] / n * (n * g[i, j] - sg[j] - xhat * sgx[j])


@jit
def layer_norm_forward(x, gamma, beta, eps, y, mean, inv_std):
    """Normalizes each row of x (rows, c) with its own moments, then y = xhat * gamma +
    beta (gamma / beta empty: none); writes each row's mean and 1/std (float64)."""
    n, c = x.shape
    has_gamma, has_beta = gamma.size > 0, beta.size > 0
    for i in range(n):
        s = 0.0
        for j in range(c):
            s += x[i, j]
        mu = s / c
        s = 0.0
        for j in range(c):
            d = x[i, j] - mu
            s += d * d
        inv = 1.0 / math.sqrt(s / c + eps)
        mean[i] = mu
        inv_std[i] = inv
        for j in range(c):
            v = (x[i, j] - mu) * inv
            if has_gamma:
                v *= gamma[j]
            if has_beta:
                v += beta[j]
            y[i, j] = v


@jit
def layer_norm_backward(g, x, gamma, mean, inv_std, dx, dgamma, dbeta):
    """Gradients of `layer_norm_forward` w.r.t. x, gamma and beta (dgamma / dbeta
    written when they have elements)."""
    n, c = x.shape
    has_gamma, want_gamma, want_beta = gamma.size > 0, dgamma.size > 0, dbeta.size > 0
    sg = np.zeros(c, dtype=np.float64)
    sgx = np.zeros(c, dtype=np.float64)
    for i in range(n):
        mu, inv = mean[i], inv_std[i]
        a = 0.0
        b = 0.0
        for j in range(c):
            xhat = (x[i, j] - mu) * inv
            gv = g[i, j]
            sg[j] += gv
            sgx[j] += gv * xhat
            dxh = gv * gamma[j] if has_gamma else gv
            a += dxh
            b += dxh * xhat
        a /= c
        b /= c
        for j in range(c):
            xhat = (x[i, j] - mu) * inv
            dxh = g[i, j] * gamma[j] if has_gamma else g[i, j]
            dx[i, j] = inv * (dxh - a - xhat * b)
    if want_gamma:
        for j in range(c):
            dgamma[j] = sgx[j]
    if want_beta:
        for j in range(c):
            dbeta[j] = sg[j]
