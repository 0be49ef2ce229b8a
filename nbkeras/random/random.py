"""`nbkeras.random`: Keras 3's random functions, drawn with NumPy from `SeedGenerator` states.

Every function takes `seed`: an int (the same numbers on every call), a
`SeedGenerator` (new numbers on every call, reproducibly) or None (the global
generator, reset by `utils.set_random_seed`). The numbers differ from Keras's
(each backend has its own generator); shapes, dtypes and distributions match.
"""

import numpy as np

from nbkeras import config
from nbkeras.ops.core import unwrap
from nbkeras.random.seed_generator import numpy_generator


def _shape(shape):
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    try:
        return tuple(int(unwrap(s)) for s in shape)
    except (TypeError, ValueError):
        raise ValueError(f"Expected `shape` to be a tuple of ints. Received: shape={shape!r}") from None


def _float_dtype(dtype, fn):
    dtype = np.dtype(dtype or config.floatx())
    if dtype.kind != "f":
        raise ValueError(f"`keras.random.{fn}` requires a floating point `dtype`. "
                         f"Received: dtype={dtype.name}")
    return dtype


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Draw from a normal distribution.

    Args:
        shape: the output shape.
        mean, stddev: the distribution's mean and standard deviation.
        dtype: a float dtype (floatx by default).
        seed: an int, a `SeedGenerator` or None.

    Example:
        >>> nbkeras.random.normal((2, 3), seed=1).shape
        (2, 3)
    """
    dtype = _float_dtype(dtype, "normal")
    out = numpy_generator(seed).standard_normal(_shape(shape))
    return (out * unwrap(stddev) + unwrap(mean)).astype(dtype)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Draw from a uniform distribution on [minval, maxval).

    Args:
        shape: the output shape.
        minval, maxval: the range.
        dtype: a float dtype (floatx by default).
        seed: an int, a `SeedGenerator` or None.

    Example:
        >>> float(nbkeras.random.uniform((100,), seed=1).max()) < 1.0
        True
    """
    dtype = _float_dtype(dtype, "uniform")
    lo, hi = unwrap(minval), unwrap(maxval)
    out = lo + (hi - lo) * numpy_generator(seed).random(_shape(shape))
    return np.minimum(out.astype(dtype), np.nextafter(np.asarray(hi, dtype), -np.inf, dtype=dtype)
                      ) if np.ndim(hi) == 0 and hi > lo else out.astype(dtype)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Draw integers uniformly from [minval, maxval).

    Args:
        shape: the output shape.
        minval, maxval: the range (maxval excluded).
        dtype: an integer dtype.
        seed: an int, a `SeedGenerator` or None.

    Example:
        >>> nbkeras.random.randint((4,), 0, 3, seed=1).dtype
        dtype('int32')
    """
    dt = np.dtype(dtype)
    if dt.kind not in "iu":
        raise ValueError(f"`keras.random.randint` requires an integer `dtype`. Received: dtype={dt.name}")
    return numpy_generator(seed).integers(unwrap(minval), unwrap(maxval), _shape(shape)).astype(dt)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Draw from a normal distribution, redrawing values more than two stddevs from the mean.

    Args:
        shape: the output shape.
        mean, stddev: the mean and the standard deviation before truncation.
        dtype: a float dtype (floatx by default).
        seed: an int, a `SeedGenerator` or None.

    Example:
        >>> float(abs(nbkeras.random.truncated_normal((1000,), seed=1)).max()) <= 2.0
        True
    """
    from nbkeras.initializers.random_initializers import truncated_normal as draw

    dtype = _float_dtype(dtype, "truncated_normal")
    return draw(numpy_generator(seed), _shape(shape), unwrap(mean), unwrap(stddev)).astype(dtype)


def categorical(logits, num_samples, dtype="int32", seed=None):
    """Draw class indices from the categorical distributions given by `logits`.

    Args:
        logits: a 2-D tensor `(batch_size, num_classes)` of unnormalized log-probabilities.
        num_samples: draws per row.
        dtype: an integer dtype.
        seed: an int, a `SeedGenerator` or None.

    Returns:
        Indices of shape `(batch_size, num_samples)`.

    Example:
        >>> nbkeras.random.categorical(np.log([[0.5, 0.5]]), 4, seed=1).shape
        (1, 4)
    """
    z = np.asarray(unwrap(logits), dtype=np.float64)
    if z.ndim != 2:
        raise ValueError("`logits` should be a 2-D tensor with shape [batch_size, num_classes]. "
                         f"Received: logits={logits!r}")
    rng = numpy_generator(seed)
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    cdf = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    u = rng.random((z.shape[0], int(num_samples)))
    idx = (u[:, :, None] >= cdf[:, None, :-1]).sum(axis=-1)  # first class whose cdf exceeds u
    return idx.astype(dtype)


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zero entries with probability `rate` and scale the rest by 1 / (1 - rate).

    Differentiable with respect to `inputs`.

    Args:
        inputs: the tensor.
        rate: the drop probability, in [0, 1).
        noise_shape: the mask's shape, broadcast over `inputs` (None entries take its size).
        seed: an int, a `SeedGenerator` or None.

    Example:
        >>> y = nbkeras.random.dropout(np.ones((2, 4), "float32"), 0.5, seed=1)
    """
    from nbkeras import ops

    x = unwrap(inputs)
    shape = np.shape(x) if noise_shape is None else tuple(
        np.shape(x)[i] if s is None else int(s) for i, s in enumerate(noise_shape))
    dtype = np.asarray(x).dtype if np.asarray(x).dtype.kind == "f" else np.dtype(config.floatx())
    keep = numpy_generator(seed).random(shape) >= rate
    mask = (keep / (1.0 - rate)).astype(dtype)
    return ops.multiply(inputs, mask)


def shuffle(x, axis=0, seed=None):
    """Shuffle a tensor along `axis`.

    Args:
        x: the tensor.
        axis: the axis to shuffle.
        seed: an int, a `SeedGenerator` or None.

    Example:
        >>> sorted(nbkeras.random.shuffle(np.arange(5), seed=1).tolist())
        [0, 1, 2, 3, 4]
    """
    a = np.asarray(unwrap(x))
    order = numpy_generator(seed).permutation(a.shape[axis])
    return np.take(a, order, axis=axis)


def gamma(shape, alpha, dtype=None, seed=None):
    """Draw from a gamma distribution with concentration `alpha` (scale 1).

    Args:
        shape: the output shape.
        alpha: the concentration (shape parameter), broadcast to `shape`.
        dtype: a float dtype (floatx by default).
        seed: an int, a `SeedGenerator` or None.

    Example:
        >>> nbkeras.random.gamma((3,), alpha=2.0, seed=1).shape
        (3,)
    """
    dtype = _float_dtype(dtype, "gamma")
    shape = _shape(shape)
    a = np.broadcast_to(np.asarray(unwrap(alpha), np.float64), shape)
    return numpy_generator(seed).standard_gamma(a, shape).astype(dtype)


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Draw the number of successes in `counts` trials of probability `probabilities`.

    Args:
        shape: the output shape.
        counts: the number of trials, broadcast to `shape`.
        probabilities: the success probability, broadcast to `shape`.
        dtype: a float dtype (floatx by default), as in Keras.
        seed: an int, a `SeedGenerator` or None.

    Example:
        >>> nbkeras.random.binomial((2,), counts=10, probabilities=0.5, seed=1).dtype
        dtype('float32')
    """
    dtype = _float_dtype(dtype, "binomial")
    shape = _shape(shape)
    n = np.broadcast_to(np.asarray(unwrap(counts)).astype(np.int64), shape)
    p = np.broadcast_to(np.asarray(unwrap(probabilities), np.float64), shape)
    return numpy_generator(seed).binomial(n, p, shape).astype(dtype)


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Draw from a beta distribution with parameters `alpha` and `beta`.

    Args:
        shape: the output shape.
        alpha, beta: the two concentrations, broadcast to `shape`.
        dtype: a float dtype (floatx by default).
        seed: an int, a `SeedGenerator` or None.

    Example:
        >>> float(nbkeras.random.beta((100,), 2.0, 5.0, seed=1).max()) < 1.0
        True
    """
    dtype = _float_dtype(dtype, "beta")
    shape = _shape(shape)
    a = np.broadcast_to(np.asarray(unwrap(alpha), np.float64), shape)
    b = np.broadcast_to(np.asarray(unwrap(beta), np.float64), shape)
    return numpy_generator(seed).beta(a, b, shape).astype(dtype)
