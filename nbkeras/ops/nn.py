"""Differentiable neural-network ops: activations, softmax, the fused dense op,
dropout, batch normalization and the crossentropy losses, on backend kernels.
"""

import numpy as np

from nbkeras import config
from nbkeras.backend import kernels as K
from nbkeras.backend.activation_codes import CODES as _CODES
from nbkeras.backend.activation_codes import NEEDS_INPUT as _NEEDS_INPUT
from nbkeras.ops.core import Tensor, record, unwrap

def _float_array(x):
    a = np.asarray(unwrap(x))
    if a.dtype.kind != "f":
        a = a.astype(config.floatx())
    elif a.dtype == np.float16:
        raise TypeError(
            "nbkeras kernels compute in float32 or float64; float16 is not supported. "
            "Received: an array of dtype float16"
        )
    return np.ascontiguousarray(a)


def activation(x, name, alpha=0.0):
    """Apply the named elementwise activation through the fused kernels.

    Args:
        x: input tensor.
        name: a key of the activation table, such as `'relu'` or `'gelu'`.
        alpha: the slope or scale parameter of elu and leaky_relu.
    """
    code = _CODES[name]
    a = _float_array(x)
    out = np.empty_like(a)
    K.act_forward(a.reshape(-1), out.reshape(-1), code, alpha)

    def backward(g, needs):
        g = np.ascontiguousarray(g, dtype=a.dtype)
        gx = np.empty_like(a)
        K.act_backward(g.reshape(-1), a.reshape(-1), out.reshape(-1), gx.reshape(-1), code, alpha)
        return (gx,)

    return record(out, (x,), backward)


def relu(x):
    """max(x, 0)."""
    return activation(x, "relu")


def relu6(x):
    """min(max(x, 0), 6)."""
    return activation(x, "relu6")


def sigmoid(x):
    """1 / (1 + exp(-x))."""
    return activation(x, "sigmoid")


def tanh(x):
    """Hyperbolic tangent."""
    return activation(x, "tanh")


def elu(x, alpha=1.0):
    """x if x > 0 else alpha * (exp(x) - 1)."""
    return activation(x, "elu", float(alpha))


def selu(x):
    """Scaled exponential linear unit."""
    return activation(x, "selu")


def softplus(x):
    """log(1 + exp(x)), computed stably."""
    return activation(x, "softplus")


def softsign(x):
    """x / (1 + |x|)."""
    return activation(x, "softsign")


def silu(x):
    """x * sigmoid(x)."""
    return activation(x, "silu")


swish = silu


def gelu(x, approximate=True):
    """Gaussian error linear unit (the tanh approximation when `approximate`)."""
    return activation(x, "gelu_approximate" if approximate else "gelu")


def leaky_relu(x, negative_slope=0.2):
    """x if x > 0 else negative_slope * x."""
    return activation(x, "leaky_relu", float(negative_slope))


def hard_sigmoid(x):
    """relu6(x + 3) / 6."""
    return activation(x, "hard_sigmoid")


def hard_silu(x):
    """x * hard_sigmoid(x)."""
    return activation(x, "hard_silu")


hard_swish = hard_silu


def mish(x):
    """x * tanh(softplus(x))."""
    return activation(x, "mish")


def _last_axis_2d(x, axis):
    a = _float_array(x)
    moved = axis not in (-1, a.ndim - 1)
    if moved:
        a = np.ascontiguousarray(np.moveaxis(a, axis, -1))
    return a, moved


def _rowwise(x, axis, forward, backward_kernel):
    a, moved = _last_axis_2d(x, axis)
    a2 = a.reshape(-1, a.shape[-1]) if a.ndim else a.reshape(1, 1)
    y2 = np.empty_like(a2)
    forward(a2, y2)
    y = y2.reshape(a.shape)
    out = np.moveaxis(y, -1, axis) if moved else y

    def backward(g, needs):
        g = np.ascontiguousarray(np.moveaxis(g, axis, -1) if moved else g, dtype=a.dtype)
        gx = np.empty_like(y2)
        backward_kernel(g.reshape(y2.shape), y2, gx)
        gx = gx.reshape(a.shape)
        return (np.moveaxis(gx, -1, axis) if moved else gx,)

    return record(out, (x,), backward)


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along `axis`."""
    return _rowwise(x, axis, K.softmax_forward, K.softmax_backward)


def log_softmax(x, axis=-1):
    """x - logsumexp(x) along `axis`."""
    return _rowwise(x, axis, K.log_softmax_forward, K.log_softmax_backward)


def dense(x, kernel, bias=None, activation="linear", alpha=0.0):
    """activation(x @ kernel + bias) as one fused op.

    Args:
        x: input of shape (..., in).
        kernel: (in, units) weights.
        bias: (units,) or None.
        activation: a name from the activation table.
        alpha: the activation's parameter, if any.
    """
    code = _CODES[activation]
    xa = np.asarray(unwrap(x))
    w = unwrap(kernel)
    if xa.dtype != w.dtype and xa.dtype.kind != "f":
        xa = xa.astype(w.dtype)
    lead = xa.shape[:-1]
    x2 = xa.reshape(-1, xa.shape[-1])
    z = np.matmul(x2, w)
    b = unwrap(bias) if bias is not None else np.zeros(0, dtype=z.dtype)
    if code == 0 and bias is None:
        y = z
    else:
        y = np.empty_like(z) if code in _NEEDS_INPUT else z
        K.bias_act_forward(z, b, y, code, alpha)
    out = y.reshape(lead + (w.shape[1],))

    def backward(g, needs):
        g2 = g.reshape(y.shape)
        if code == 0:
            dz = g2
        else:
            g2 = np.ascontiguousarray(g2, dtype=y.dtype)
            dz = np.empty_like(y)
            K.act_backward(g2.reshape(-1), z.reshape(-1), y.reshape(-1), dz.reshape(-1), code, alpha)
        gx = np.matmul(dz, w.T).reshape(xa.shape) if needs[0] else None
        gw = np.matmul(x2.T, dz) if needs[1] else None
        gb = None
        if bias is not None and needs[2]:
            gb = np.empty(dz.shape[1], dtype=dz.dtype)
            K.col_sum(np.ascontiguousarray(dz), gb)
        return gx, gw, gb

    return record(out, (x, kernel, bias), backward)


def dropout(x, rate, noise_shape=None, seed=None):
    """Zero entries with probability `rate` and scale the rest by 1 / (1 - rate).

    Args:
        x: input tensor.
        rate: drop probability in [0, 1).
        noise_shape: shape of the mask, broadcast over x (leading axes only).
        seed: an int seeding this call's mask; None continues the stream that
            `utils.set_random_seed` seeds.
    """
    a = _float_array(x)
    if seed is None:
        seed = -1  # continue the kernel generator's stream (seeded by set_random_seed)
    mshape = a.shape if noise_shape is None else tuple(
        a.shape[i] if s is None else s for i, s in enumerate(noise_shape)
    )
    if mshape != a.shape:
        trailing = int(np.prod(mshape))
        # Draw the mask at its own shape, then broadcast it.
        mask = np.empty(mshape, dtype=a.dtype)
        K.dropout_forward(np.zeros(trailing, a.dtype), mask.reshape(-1), np.empty(trailing, a.dtype), float(rate), seed)
        mask = np.broadcast_to(mask, a.shape)
        out = a * mask
    else:
        mask = np.empty_like(a)
        out = np.empty_like(a)
        K.dropout_forward(a.reshape(-1), mask.reshape(-1), out.reshape(-1), float(rate), seed)
    return record(out, (x,), lambda g, needs: (g * mask,))


def moments(x, axes, keepdims=False):
    """Return (mean, biased variance) of x over `axes`."""
    from nbkeras.ops.numpy import mean, reshape, square, subtract

    axes = tuple(axes) if isinstance(axes, list) else axes
    m = mean(x, axis=axes, keepdims=True)  # computed once, for both moments
    v = mean(square(subtract(x, m)), axis=axes, keepdims=keepdims)
    return (m if keepdims else reshape(m, v.shape)), v


def batch_norm_train(x, gamma, beta, epsilon):
    """Normalize over every axis but the last with the batch's own moments.

    Returns:
        (output, batch mean, batch variance); only the output is differentiable.
    """
    a = _float_array(x)
    c = a.shape[-1]
    x2 = a.reshape(-1, c)
    y = np.empty_like(x2)
    mean = np.empty(c, a.dtype)
    var = np.empty(c, a.dtype)
    inv_std = np.empty(c, np.float64)
    gd, bd = np.asarray(unwrap(gamma)), np.asarray(unwrap(beta))
    K.batch_norm_train_forward(x2, gd, bd, float(epsilon), y, mean, var, inv_std)

    def backward(g, needs):
        g2 = np.ascontiguousarray(g, dtype=a.dtype).reshape(x2.shape)
        dx = np.empty_like(x2)
        dgamma = np.empty(c, a.dtype)
        dbeta = np.empty(c, a.dtype)
        K.batch_norm_train_backward(g2, x2, gd, mean, inv_std, dx, dgamma, dbeta)
        return dx.reshape(a.shape), dgamma, dbeta

    return record(y.reshape(a.shape), (x, gamma, beta), backward), mean, var


def batch_normalization(x, mean, variance, offset=None, scale=None, epsilon=1e-3):
    """(x - mean) / sqrt(variance + epsilon) * scale + offset, differentiable in all inputs."""
    from nbkeras.ops import numpy as onp

    inv = onp.divide(1.0, onp.sqrt(onp.add(variance, epsilon)))
    if scale is not None:
        inv = onp.multiply(inv, scale)
    out = onp.multiply(onp.subtract(x, mean), inv)
    return onp.add(out, offset) if offset is not None else out


def one_hot(x, num_classes, dtype=None):
    """One-hot encode integer labels along a new last axis."""
    idx = np.asarray(unwrap(x)).astype(np.int64)
    out = np.zeros(idx.shape + (num_classes,), dtype=dtype or config.floatx())
    valid = (idx >= 0) & (idx < num_classes)
    np.put_along_axis(out, np.where(valid, idx, 0)[..., None], valid[..., None].astype(out.dtype), axis=-1)
    return out


def _per_row_loss(target, output, fwd, bwd, extra, sparse=False, target_grad=False):
    p = _float_array(output)
    m = p.shape[-1] if p.ndim else 1
    p2 = p.reshape(-1, m)
    t = np.asarray(unwrap(target))
    if sparse:
        t2 = np.ascontiguousarray(t.reshape(-1), dtype=np.int64)
    else:
        t2 = np.ascontiguousarray(t, dtype=p.dtype).reshape(p2.shape)
    rows = np.empty(p2.shape[0], p.dtype)
    fwd(t2, p2, rows, *extra)
    out = rows.reshape(p.shape[:-1]) if p.ndim else rows.reshape(())

    def backward(g, needs):
        if g.shape != out.shape:
            g = np.broadcast_to(g, out.shape)
        g1 = np.ascontiguousarray(g, dtype=p.dtype).reshape(-1)
        gp = np.empty_like(p2)
        bwd(g1, t2, p2, gp, *extra)
        gp = gp.reshape(p.shape)
        # Squared error is symmetric: d/dtarget = -d/doutput.
        return (-gp if target_grad and needs[0] else None), gp

    return record(out, (target, output), backward)


def _check_same_shape(target, output):
    ts, ps = np.shape(unwrap(target)), np.shape(unwrap(output))
    if ts != ps:
        raise ValueError(
            "Arguments `target` and `output` must have the same shape. "
            f"Received: target.shape={ts}, output.shape={ps}"
        )


def _clip_bounds(output):
    """(eps, 1 - eps) computed in the prediction's float type, as Keras does."""
    dt = np.asarray(unwrap(output)).dtype
    dt = dt if dt.kind == "f" else np.dtype(config.floatx())
    eps = dt.type(config.epsilon())
    return float(eps), float(dt.type(1) - eps)


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary crossentropy between targets and probabilities (or logits)."""
    _check_same_shape(target, output)
    from nbkeras.ops.numpy import expand_dims

    # The per-row kernel averages over (and drops) the last axis; over a new axis of
    # length 1 that is the elementwise value.
    t = np.expand_dims(np.asarray(unwrap(target)), -1)
    return binary_crossentropy_mean(t, expand_dims(output, -1), from_logits)


def binary_crossentropy_mean(target, output, from_logits=False):
    """Binary crossentropy averaged over the last axis (the Keras loss function's value)."""
    return _per_row_loss(target, output, K.bce_forward, K.bce_backward, (*_clip_bounds(output), bool(from_logits)))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Crossentropy between one-hot (or soft) targets and probabilities (or logits)."""
    _check_same_shape(target, output)
    if axis not in (-1, np.ndim(unwrap(output)) - 1):
        from nbkeras.ops.numpy import transpose

        perm = list(range(np.ndim(unwrap(output))))
        perm.append(perm.pop(axis))
        output = transpose(output, perm)
        target = np.transpose(np.asarray(unwrap(target)), perm)
    return _per_row_loss(target, output, K.cce_forward, K.cce_backward, (*_clip_bounds(output), bool(from_logits)))


def sparse_labels(labels, num_classes, ignore_class=None, name="labels"):
    """Integer class labels (floats truncated, as Keras casts them), checked to lie in
    [0, num_classes) (or equal `ignore_class`).

    Args:
        labels: an array of ints or floats.
        num_classes: the number of classes of the prediction.
        ignore_class: a label allowed outside the range, or None.
        name: what the error calls the labels.

    Example:
        >>> sparse_labels(np.array([0.0, 2.9]), 3)
        array([0, 2])
    """
    from nbkeras.utils import index_utils

    a = np.asarray(labels)
    bad = index_utils.first_out_of_range(a, num_classes, allowed=ignore_class)
    if bad is not None:
        pos, value = bad
        raise ValueError(
            f"Labels in `{name}` must be integers in [0, {num_classes}) for an output with "
            f"{num_classes} classes. Received: {name} with a label of "
            f"{index_utils.describe(value)} {index_utils.where(pos)}".rstrip())
    return a if a.dtype == np.int64 else a.astype(np.int64)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Crossentropy between integer labels and probabilities (or logits)."""
    t = np.asarray(unwrap(target))
    ps = np.shape(unwrap(output))
    if t.ndim == len(ps) and t.ndim and t.shape[-1] == 1:
        t = t.reshape(t.shape[:-1])
    if t.shape != ps[:-1]:
        raise ValueError(
            "Arguments `target` and `output` must have the same shape up until "
            f"the last dimension. Received: target.shape={t.shape}, output.shape={ps}"
        )
    t = sparse_labels(t, ps[-1])
    return _per_row_loss(t, output, K.sparse_cce_forward, K.sparse_cce_backward,
                         (*_clip_bounds(output), bool(from_logits)), sparse=True)


def mean_squared_error(target, output):
    """Squared error averaged over the last axis; differentiable in both arguments."""
    ts, ps = np.shape(unwrap(target)), np.shape(unwrap(output))
    if ts != ps:
        try:
            if isinstance(target, Tensor):
                raise ValueError
            target = np.broadcast_to(unwrap(target), ps)
        except ValueError:
            raise ValueError(
                "Arguments `target` and `output` must have the same shape (a NumPy target may "
                f"broadcast to it). Received: target.shape={ts}, output.shape={ps}"
            ) from None
    return _per_row_loss(target, output, K.mse_forward, K.mse_backward, (), target_grad=True)
