"""Activation functions with Keras 3's names and defaults.

Example:
    >>> nbkeras.activations.get("relu")(np.array([-1.0, 1.0], "float32"))
    array([0., 1.], dtype=float32)
"""

from nbkeras import ops
from nbkeras.utils.registry import lookup


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit, with Keras's optional slope, cap and threshold.

    Args:
        x: input tensor.
        negative_slope: slope below the threshold.
        max_value: saturation value, or None.
        threshold: the value below which the slope applies.
    """
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return ops.relu(x)
    if negative_slope != 0.0 and max_value is None and threshold == 0.0:
        return ops.leaky_relu(x, negative_slope)
    shifted = ops.subtract(x, threshold)
    positive = ops.where(ops.greater(ops.convert_to_numpy(x), threshold), x, 0.0)
    if max_value is not None:
        positive = ops.minimum(positive, max_value)
    if negative_slope:
        negative = ops.multiply(ops.minimum(shifted, 0.0), negative_slope)
        return ops.add(positive, negative)
    return positive


def leaky_relu(x, negative_slope=0.2):
    """x if x > 0 else negative_slope * x."""
    return ops.leaky_relu(x, negative_slope)


def relu6(x):
    """min(max(x, 0), 6)."""
    return ops.relu6(x)


def sigmoid(x):
    """1 / (1 + exp(-x))."""
    return ops.sigmoid(x)


def hard_sigmoid(x):
    """relu6(x + 3) / 6."""
    return ops.hard_sigmoid(x)


def hard_silu(x):
    """x * hard_sigmoid(x)."""
    return ops.hard_silu(x)


hard_swish = hard_silu


def tanh(x):
    """Hyperbolic tangent."""
    return ops.tanh(x)


def softmax(x, axis=-1):
    """Softmax along `axis`."""
    return ops.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    """Log-softmax along `axis`."""
    return ops.log_softmax(x, axis=axis)


def elu(x, alpha=1.0):
    """x if x > 0 else alpha * (exp(x) - 1)."""
    return ops.elu(x, alpha)


def selu(x):
    """Scaled exponential linear unit (scale 1.0507, alpha 1.6733)."""
    return ops.selu(x)


def softplus(x):
    """log(exp(x) + 1)."""
    return ops.softplus(x)


def softsign(x):
    """x / (|x| + 1)."""
    return ops.softsign(x)


def silu(x):
    """x * sigmoid(x), also called swish."""
    return ops.silu(x)


swish = silu


def gelu(x, approximate=False):
    """Gaussian error linear unit; exact (erf) unless `approximate`."""
    return ops.gelu(x, approximate=approximate)


def mish(x):
    """x * tanh(softplus(x))."""
    return ops.mish(x)


def exponential(x):
    """exp(x)."""
    return ops.exp(x)


def linear(x):
    """The identity."""
    return x


_BY_NAME = {
    f.__name__: f
    for f in (relu, leaky_relu, relu6, sigmoid, hard_sigmoid, hard_silu, tanh, softmax,
              log_softmax, elu, selu, softplus, softsign, silu, gelu, mish, exponential, linear)
}
_BY_NAME.update({"swish": silu, "hard_swish": hard_silu, None: linear})

# Activations that the fused dense kernel implements: function -> (kernel name, parameter).
FUSED = {relu: ("relu", 0.0), sigmoid: ("sigmoid", 0.0), tanh: ("tanh", 0.0),
         elu: ("elu", 1.0), selu: ("selu", 0.0), softplus: ("softplus", 0.0),
         softsign: ("softsign", 0.0), silu: ("silu", 0.0), gelu: ("gelu", 0.0),
         linear: ("linear", 0.0), exponential: ("exponential", 0.0), relu6: ("relu6", 0.0),
         mish: ("mish", 0.0), hard_sigmoid: ("hard_sigmoid", 0.0), hard_silu: ("hard_silu", 0.0),
         leaky_relu: ("leaky_relu", 0.2)}


def get(identifier):
    """Return the activation function for a name, a function or None (linear).

    Args:
        identifier: e.g. `'relu'`, `nbkeras.activations.tanh`, or None.

    Example:
        >>> nbkeras.activations.get(None) is nbkeras.activations.linear
        True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        return lookup(identifier, {k: v for k, v in _BY_NAME.items() if k}, "activation", "activation")
    if isinstance(identifier, dict):
        return get(identifier.get("config", identifier.get("class_name")))
    if callable(identifier):
        return identifier
    raise ValueError(
        "Could not interpret activation identifier. Expected a string or a callable. "
        f"Received: activation={identifier!r}"
    )


def serialize(activation):
    """Return the name of a built-in activation (or the callable's name)."""
    for name, fn in _BY_NAME.items():
        if fn is activation and name:
            return name
    return getattr(activation, "__name__", repr(activation))


def deserialize(config):
    """Inverse of `serialize`."""
    return get(config)
