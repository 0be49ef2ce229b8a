"""Differentiable neural-network ops: activations, softmax, the fused dense op,
dropout, batch normalization and the crossentropy losses, on backend kernels.
"""

import numpy as np

from nbkeras import config
from nbkeras.backend import kernels as K
from nbkeras.backend.activation_codes import CODES as _CODES
from nbkeras.backend.activation_codes import NEEDS_INPUT as _NEEDS_INPUT
from nbkeras.ops.attention import dot_product_attention  # noqa: F401 (keras.ops.nn's name)
from nbkeras.ops import numpy as knp
from nbkeras.ops.core import Tensor, composite, op, untracked_op, unwrap
from nbkeras.ops.normalization import layer_normalization  # noqa: F401 (keras.ops.nn's name)


_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _float_array(x, xp=None):
    xp = xp or K.xp
    a = xp.asarray(unwrap(x))
    if a.dtype.kind != "f":
        a = a.astype(config.floatx())
    elif a.dtype == np.float16:
        raise TypeError(
            "nbkeras kernels compute in float32 or float64; float16 is not supported. "
            "Received: an array of dtype float16"
        )
    return xp.ascontiguousarray(a)


def activation(x, name, alpha=0.0, op_name=None, config=None):
    """Apply the named elementwise activation through the fused kernels.

    Args:
        x: input tensor.
        name: a key of the activation table, such as `'relu'` or `'gelu'`.
        alpha: the slope or scale parameter of elu and leaky_relu.
        op_name: the public op's name, when it differs from `name`.
        config: the public op's other arguments (kept by symbolic nodes).

    Example:
        >>> activation(np.array([-1.0, 2.0], "float32"), "relu")
        array([0., 2.], dtype=float32)
    """
    code = _CODES[name]
    a = None

    def forward(xp, x):
        nonlocal a
        a = _float_array(x, xp)
        out = xp.empty_like(a)
        K.act_forward(a.reshape(-1), out.reshape(-1), code, alpha)
        return out

    def infer(xp, x):
        # forward without keeping its input, for a replayed inference plan (the same
        # kernel on the same array; anything but a contiguous float32/64 array: forward)
        if type(x) is not np.ndarray or x.dtype not in _FLOATS or not x.flags.c_contiguous:
            return forward(xp, x)
        out = xp.empty_like(x)
        K.act_forward(x.reshape(-1), out.reshape(-1), code, alpha)
        return out

    forward.infer = infer

    def backward(xp, g, needs, arrays, out):
        g = xp.ascontiguousarray(g, dtype=a.dtype)
        gx = xp.empty_like(a)
        K.act_backward(g.reshape(-1), a.reshape(-1), out.reshape(-1), gx.reshape(-1), code, alpha)
        return (gx,)

    return op(op_name or name, forward, (x,), backward, config)


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
    return activation(x, "elu", float(alpha), config={"alpha": alpha})


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
    return activation(x, "gelu_approximate" if approximate else "gelu", op_name="gelu",
                      config={"approximate": approximate})


def leaky_relu(x, negative_slope=0.2):
    """x if x > 0 else negative_slope * x."""
    return activation(x, "leaky_relu", float(negative_slope),
                      config={"negative_slope": negative_slope})


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


def _rowwise(name, x, axis, forward_kernel, backward_kernel):
    st = {}

    def forward(xp, x):
        a = _float_array(x, xp)
        moved = axis not in (-1, a.ndim - 1)
        if moved:
            a = xp.ascontiguousarray(xp.moveaxis(a, axis, -1))
        a2 = a.reshape(-1, a.shape[-1]) if a.ndim else a.reshape(1, 1)
        y2 = xp.empty_like(a2)
        getattr(K, forward_kernel)(a2, y2)
        st.update(a=a, y2=y2, moved=moved)
        y = y2.reshape(a.shape)
        return xp.moveaxis(y, -1, axis) if moved else y

    def backward(xp, g, needs, arrays, out):
        a, y2, moved = st["a"], st["y2"], st["moved"]
        g = xp.ascontiguousarray(xp.moveaxis(g, axis, -1) if moved else g, dtype=a.dtype)
        gx = xp.empty_like(y2)
        getattr(K, backward_kernel)(g.reshape(y2.shape), y2, gx)
        gx = gx.reshape(a.shape)
        return (xp.moveaxis(gx, -1, axis) if moved else gx,)

    return op(name, forward, (x,), backward, {"axis": axis})


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along `axis`."""
    return _rowwise("softmax", x, axis, "softmax_forward", "softmax_backward")


def log_softmax(x, axis=-1):
    """x - logsumexp(x) along `axis`."""
    return _rowwise("log_softmax", x, axis, "log_softmax_forward", "log_softmax_backward")


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
    st = {}

    def forward(xp, xa, w, b):
        xa = xp.asarray(xa)
        if xa.dtype != w.dtype and xa.dtype.kind != "f":
            xa = xa.astype(w.dtype)
        x2 = xa.reshape(-1, xa.shape[-1])
        z = K.matmul(x2, w)
        if code == 0 and b is None:
            y = z
        else:
            y = xp.empty_like(z) if code in _NEEDS_INPUT else z
            K.bias_act_forward(z, xp.zeros(0, dtype=z.dtype) if b is None else b, y, code, alpha)
        st.update(xa=xa, x2=x2, z=z, y=y)
        return y.reshape(xa.shape[:-1] + (w.shape[1],))

    def infer(xp, xa, w, b):
        # forward without what backward keeps, for a replayed inference plan: the same
        # kernels on the same arrays (a 2-D batch of w's dtype; else forward itself)
        if type(xa) is not np.ndarray or xa.ndim != 2 or xa.dtype != w.dtype:
            return forward(xp, xa, w, b)
        z = K.matmul(xa, w)
        if code == 0 and b is None:
            return z
        y = xp.empty_like(z) if code in _NEEDS_INPUT else z
        K.bias_act_forward(z, xp.zeros(0, dtype=z.dtype) if b is None else b, y, code, alpha)
        return y

    forward.infer = infer

    def backward(xp, g, needs, arrays, out):
        xa, x2, z, y, w = st["xa"], st["x2"], st["z"], st["y"], arrays[1]
        g2 = g.reshape(y.shape)
        if code == 0:
            dz = g2
        else:
            g2 = xp.ascontiguousarray(g2, dtype=y.dtype)
            dz = xp.empty_like(y)
            K.act_backward(g2.reshape(-1), z.reshape(-1), y.reshape(-1), dz.reshape(-1), code, alpha)
        gx = K.matmul(dz, w.T).reshape(xa.shape) if needs[0] else None
        gw = K.matmul(x2.T, dz) if needs[1] else None
        gb = None
        if bias is not None and needs[2]:
            gb = xp.empty(dz.shape[1], dtype=dz.dtype)
            K.col_sum(xp.ascontiguousarray(dz), gb)
        return gx, gw, gb

    return op("dense", forward, (x, kernel, bias), backward,
              {"activation": activation, "alpha": alpha})


def dropout(x, rate, noise_shape=None, seed=None):
    """Zero entries with probability `rate` and scale the rest by 1 / (1 - rate).

    Args:
        x: input tensor.
        rate: drop probability in [0, 1).
        noise_shape: shape of the mask, broadcast over x (leading axes only).
        seed: an int seeding this call's mask; None continues the stream that
            `utils.set_random_seed` seeds.
    """
    if seed is None:
        seed = -1  # continue the kernel generator's stream (seeded by set_random_seed)
    st = {}

    def forward(xp, x):
        a = _float_array(x, xp)
        mshape = a.shape if noise_shape is None else tuple(
            a.shape[i] if s is None else s for i, s in enumerate(noise_shape)
        )
        if mshape != a.shape:
            trailing = int(np.prod(mshape))
            # Draw the mask at its own shape, then broadcast it.
            mask = xp.empty(mshape, dtype=a.dtype)
            K.dropout_forward(xp.zeros(trailing, a.dtype), mask.reshape(-1),
                              xp.empty(trailing, a.dtype), float(rate), seed)
            mask = xp.broadcast_to(mask, a.shape)
            out = a * mask
        else:
            mask = xp.empty_like(a)
            out = xp.empty_like(a)
            K.dropout_forward(a.reshape(-1), mask.reshape(-1), out.reshape(-1), float(rate), seed)
        st["mask"] = mask
        return out

    return op("dropout", forward, (x,), lambda xp, g, needs, arrays, out: (g * st["mask"],),
              {"rate": rate, "noise_shape": noise_shape, "seed": seed})


def moments(x, axes, keepdims=False):
    """Return (mean, biased variance) of x over `axes`."""
    def run(x):
        return _moments(x, axes, keepdims)

    return composite("moments", run, (x,), {"axes": axes, "keepdims": keepdims})


def _moments(x, axes, keepdims=False):
    from nbkeras.ops.numpy import mean, reshape, square, subtract

    axes = tuple(axes) if isinstance(axes, list) else axes
    m = mean(x, axis=axes, keepdims=True)  # computed once, for both moments
    v = mean(square(subtract(x, m)), axis=axes, keepdims=keepdims)
    return (m if keepdims else reshape(m, v.shape)), v


def batch_norm_train(x, gamma, beta, epsilon, moving_mean=None, moving_variance=None,
                     momentum=None):
    """Normalize over every axis but the last with the batch's own moments.

    Args:
        x: the input, features on the last axis.
        gamma, beta: the scale and offset (one per feature).
        epsilon: added to the variance.
        moving_mean, moving_variance: optional Variables that the op updates in place,
            `moving = moving * momentum + batch * (1 - momentum)`, once the training step
            in progress succeeds (`layers.layer.update_state`); the update belongs to the
            op, so a replayed training step makes it too.
        momentum: the momentum of that update.

    Returns:
        (output, batch mean, batch variance); only the output is differentiable.

    Example:
        >>> out, mean, var = batch_norm_train(np.ones((4, 2), "float32"),
        ...                                   np.ones(2, "float32"), np.zeros(2, "float32"), 1e-3)
        >>> mean
        array([1., 1.], dtype=float32)
    """
    st = {}

    def forward(xp, x, gd, bd, mm=None, mv=None):
        a = _float_array(x, xp)
        c = a.shape[-1]
        x2 = a.reshape(-1, c)
        y = xp.empty_like(x2)
        mean = xp.empty(c, a.dtype)
        var = xp.empty(c, a.dtype)
        inv_std = xp.empty(c, np.float64)
        gd, bd = xp.asarray(gd), xp.asarray(bd)
        K.batch_norm_train_forward(x2, gd, bd, float(epsilon), y, mean, var, inv_std)
        st.update(a=a, x2=x2, gd=gd, mean=mean, var=var, inv_std=inv_std)
        if mm is not None:
            _update_state(lambda: _update_moving(mm, mv, mean, var, momentum), in_op=True)
        return y.reshape(a.shape)

    def backward(xp, g, needs, arrays, out):
        a, x2, c = st["a"], st["x2"], st["a"].shape[-1]
        g2 = xp.ascontiguousarray(g, dtype=a.dtype).reshape(x2.shape)
        dx = xp.empty_like(x2)
        dgamma = xp.empty(c, a.dtype)
        dbeta = xp.empty(c, a.dtype)
        K.batch_norm_train_backward(g2, x2, st["gd"], st["mean"], st["inv_std"], dx, dgamma, dbeta)
        return dx.reshape(a.shape), dgamma, dbeta

    inputs = (x, gamma, beta) if moving_mean is None else (
        x, gamma, beta, moving_mean, moving_variance)
    out = op("batch_norm_train", forward, inputs, backward, {"epsilon": epsilon})
    return out, st["mean"], st["var"]


def _update_state(fn, in_op):
    from nbkeras.layers.layer import update_state

    update_state(fn, in_op=in_op)


def _update_moving(mm, mv, mean, var, m):
    """The moving statistics' update, in place: `moving * m + batch * (1 - m)`."""
    mm[...] = mm * m + mean * (1.0 - m)
    mv[...] = mv * m + var * (1.0 - m)


def batch_normalization(x, mean, variance, offset=None, scale=None, epsilon=1e-3):
    """(x - mean) / sqrt(variance + epsilon) * scale + offset, differentiable in all inputs."""
    def run(x, mean, variance, offset, scale):
        return _batch_normalization(x, mean, variance, offset, scale, epsilon)

    return composite("batch_normalization", run, (x, mean, variance, offset, scale),
                     {"epsilon": epsilon})


def _batch_normalization(x, mean, variance, offset=None, scale=None, epsilon=1e-3):
    from nbkeras.ops import numpy as onp

    inv = onp.divide(1.0, onp.sqrt(onp.add(variance, epsilon)))
    if scale is not None:
        inv = onp.multiply(inv, scale)
    out = onp.multiply(onp.subtract(x, mean), inv)
    return onp.add(out, offset) if offset is not None else out


def one_hot(x, num_classes, dtype=None):
    """One-hot encode integer labels along a new last axis."""
    def forward(xp, x):
        idx = xp.asarray(x).astype(np.int64)
        out = xp.zeros(idx.shape + (num_classes,), dtype=dtype or config.floatx())
        valid = (idx >= 0) & (idx < num_classes)
        xp.put_along_axis(out, xp.where(valid, idx, 0)[..., None],
                          valid[..., None].astype(out.dtype), axis=-1)
        return out

    return op("one_hot", forward, (x,), config={"num_classes": num_classes, "dtype": dtype})


def _per_row_loss(name, target, output, fwd, bwd, extra, sparse=False, target_grad=False,
                  config=None):
    """A loss computed per row by the kernels `fwd`/`bwd` (device names)."""
    st = {}

    def forward(xp, t, p):
        p = _float_array(p, xp)
        m = p.shape[-1] if p.ndim else 1
        p2 = p.reshape(-1, m)
        t = xp.asarray(t)
        if sparse:
            t2 = xp.ascontiguousarray(t.reshape(-1), dtype=np.int64)
        else:
            t2 = xp.ascontiguousarray(t, dtype=p.dtype).reshape(p2.shape)
        rows = xp.empty(p2.shape[0], p.dtype)
        getattr(K, fwd)(t2, p2, rows, *extra)
        st.update(p=p, p2=p2, t2=t2)
        return rows.reshape(p.shape[:-1]) if p.ndim else rows.reshape(())

    def backward(xp, g, needs, arrays, out):
        p, p2, t2 = st["p"], st["p2"], st["t2"]
        if g.shape != out.shape:
            g = xp.broadcast_to(g, out.shape)
        g1 = xp.ascontiguousarray(g, dtype=p.dtype).reshape(-1)
        gp = xp.empty_like(p2)
        getattr(K, bwd)(g1, t2, p2, gp, *extra)
        gp = gp.reshape(p.shape)
        # Squared error is symmetric: d/dtarget = -d/doutput.
        return (-gp if target_grad and needs[0] else None), gp

    return op(name, forward, (target, output), backward, config)


def _check_same_shape(target, output):
    ts, ps = knp.shape(target), knp.shape(output)
    if ts != ps:
        raise ValueError(
            "Arguments `target` and `output` must have the same shape. "
            f"Received: target.shape={ts}, output.shape={ps}"
        )


def _clip_bounds(output):
    """(eps, 1 - eps) computed in the prediction's float type, as Keras does."""
    out = unwrap(output)
    dt = np.dtype(out.dtype) if hasattr(out, "dtype") else np.asarray(out).dtype
    dt = dt if dt.kind == "f" else np.dtype(config.floatx())
    eps = dt.type(config.epsilon())
    return float(eps), float(dt.type(1) - eps)


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary crossentropy between targets and probabilities (or logits)."""
    def run(target, output):
        return _binary_crossentropy(target, output, from_logits)

    return composite("binary_crossentropy", run, (target, output), {"from_logits": from_logits})


def _binary_crossentropy(target, output, from_logits=False):
    _check_same_shape(target, output)
    from nbkeras.ops.numpy import expand_dims

    # The per-row kernel averages over (and drops) the last axis; over a new axis of
    # length 1 that is the elementwise value.
    t = np.expand_dims(K.to_numpy(unwrap(target)), -1)
    return binary_crossentropy_mean(t, expand_dims(output, -1), from_logits)


def binary_crossentropy_mean(target, output, from_logits=False):
    """Binary crossentropy averaged over the last axis (the Keras loss function's value)."""
    return _per_row_loss("binary_crossentropy", target, output, "bce_forward", "bce_backward",
                         (*_clip_bounds(output), bool(from_logits)),
                         config={"from_logits": from_logits})


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Crossentropy between one-hot (or soft) targets and probabilities (or logits)."""
    def run(target, output):
        return _categorical_crossentropy(target, output, from_logits, axis)

    return composite("categorical_crossentropy", run, (target, output),
                     {"from_logits": from_logits, "axis": axis})


def _categorical_crossentropy(target, output, from_logits=False, axis=-1):
    _check_same_shape(target, output)
    if axis not in (-1, np.ndim(unwrap(output)) - 1):
        from nbkeras.ops.numpy import transpose

        perm = list(range(np.ndim(unwrap(output))))
        perm.append(perm.pop(axis))
        output = transpose(output, perm)
        target = np.transpose(K.to_numpy(unwrap(target)), perm)
    return _per_row_loss("categorical_crossentropy", target, output, "cce_forward",
                         "cce_backward", (*_clip_bounds(output), bool(from_logits)),
                         config={"from_logits": from_logits})


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

    a = K.asarray(labels)  # device labels stay there: only their min and max come back
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
    def run(target, output):
        return _sparse_categorical_crossentropy(target, output, from_logits, axis)

    return composite("sparse_categorical_crossentropy", run, (target, output),
                     {"from_logits": from_logits, "axis": axis})


def _sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1, checked=False):
    # checked: `target` already went through `sparse_labels` (the loss class checks it)
    ps = knp.shape(output)

    def sparse_categorical_crossentropy_labels(t):  # (a traceback shows this name)
        if t.ndim == len(ps) and t.ndim and t.shape[-1] == 1:
            t = t.reshape(t.shape[:-1])
        if t.shape != ps[:-1]:
            raise ValueError(
                "Arguments `target` and `output` must have the same shape up until "
                f"the last dimension. Received: target.shape={t.shape}, output.shape={ps}"
            )
        return t if checked else sparse_labels(t, ps[-1])

    t = untracked_op("sparse_labels", sparse_categorical_crossentropy_labels,
                (K.asarray(unwrap(target)),))
    return _per_row_loss("sparse_categorical_crossentropy", t, output, "sparse_cce_forward",
                         "sparse_cce_backward", (*_clip_bounds(output), bool(from_logits)),
                         sparse=True, config={"from_logits": from_logits})


def mean_squared_error(target, output):
    """Squared error averaged over the last axis; differentiable in both arguments."""
    ts, ps = knp.shape(target), knp.shape(output)
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
    return _per_row_loss("mean_squared_error", target, output, "mse_forward", "mse_backward", (),
                         target_grad=True)
