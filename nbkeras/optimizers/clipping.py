"""Gradient clipping as Keras 3 applies it: by norm, by global norm, or by value."""

import numpy as np


def clip_by_norm(grad, clipnorm):
    """Scale `grad` so that its L2 norm is at most `clipnorm`.

    Args:
        grad: a NumPy array.
        clipnorm: the largest allowed norm.

    Example:
        >>> clip_by_norm(np.array([3.0, 4.0], "float32"), 1.0)
        array([0.6, 0.8], dtype=float32)
    """
    l2sum = np.sum(np.square(grad))
    norm = np.sqrt(l2sum) if l2sum > 0 else l2sum
    c = grad.dtype.type(clipnorm)
    return (grad * c) / np.maximum(norm, c)


def global_norm(grads):
    """The L2 norm of all arrays in `grads` taken together (float32 like the gradients)."""
    return np.sqrt(np.sum(np.stack([np.sum(np.square(g)) for g in grads])))


def clip_by_global_norm(grads, clip_norm):
    """Scale every gradient by the same factor so that their global norm is at most `clip_norm`.

    A non-finite global norm makes every gradient NaN, as in Keras.

    Args:
        grads: a list of NumPy arrays.
        clip_norm: the largest allowed global norm.

    Example:
        >>> clip_by_global_norm([np.array([3.0], "float32"), np.array([4.0], "float32")], 1.0)
        [array([0.6], dtype=float32), array([0.8], dtype=float32)]
    """
    norm = global_norm(grads)
    c = norm.dtype.type(clip_norm)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = c * np.minimum(norm.dtype.type(1.0) / norm, norm.dtype.type(1.0) / c)
        scale = scale + (norm - norm)
    return [g * scale.astype(g.dtype) for g in grads]


def clip_gradients(grads, clipnorm=None, clipvalue=None, global_clipnorm=None):
    """Apply whichever of `clipnorm`, `global_clipnorm` or `clipvalue` is set (in that priority).

    Args:
        grads: a list of NumPy arrays.
        clipnorm: clip each gradient to this norm.
        clipvalue: clip each entry to [-clipvalue, clipvalue].
        global_clipnorm: clip all gradients together to this global norm.

    Example:
        >>> clip_gradients([np.array([3.0, -4.0], "float32")], clipvalue=1.0)
        [array([ 1., -1.], dtype=float32)]
    """
    if clipnorm and clipnorm > 0:
        return [clip_by_norm(g, clipnorm) for g in grads]
    if global_clipnorm and global_clipnorm > 0:
        return clip_by_global_norm(grads, global_clipnorm)
    if clipvalue and clipvalue > 0:
        return [np.clip(g, -clipvalue, clipvalue).astype(g.dtype, copy=False) for g in grads]
    return grads
