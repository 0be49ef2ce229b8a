"""Keras's encodings of integer indices: 'int', 'one_hot', 'multi_hot', 'count' (and the
per-token weights of 'tf_idf'), shared by the categorical preprocessing layers."""

import numpy as np


def _one_hot(idx, depth, dtype):
    idx = np.asarray(idx).astype(np.int64)
    out = np.zeros(idx.shape + (depth,), dtype)
    valid = (idx >= 0) & (idx < depth)
    np.put_along_axis(out, np.where(valid, idx, 0)[..., None], valid[..., None].astype(dtype),
                      axis=-1)
    return out


def encode_categorical(indices, output_mode, depth, dtype, count_weights=None, idf_weights=None):
    """Encode integer `indices` as Keras does.

    'one_hot' adds a last axis of size `depth` (replacing a last axis of size 1);
    'multi_hot' and 'count' reduce axis 1 of a batch (axis 0 of a single sample) to a
    `depth`-vector of presence flags or counts; 'tf_idf' multiplies the counts by
    `idf_weights`. Indices outside [0, depth) encode as zeros.

    Args:
        indices: an integer array.
        output_mode: 'int', 'one_hot', 'multi_hot', 'count' or 'tf_idf'.
        depth: the number of categories.
        dtype: the output dtype.
        count_weights: per-index weights summed instead of counts ('count' only).
        idf_weights: a (depth,) vector ('tf_idf' only).

    Example:
        >>> encode_categorical(np.array([[0, 2, 2]]), "count", 3, "float32")
        array([[1., 0., 2.]], dtype=float32)
    """
    idx = np.asarray(indices)
    if output_mode == "int":
        return idx.astype(dtype)
    if idx.ndim == 0:
        idx = idx[None]
    if output_mode == "one_hot":
        if idx.ndim > 1 and idx.shape[-1] == 1:
            idx = idx[..., 0]
        return _one_hot(idx, depth, dtype)
    axis = 1 if idx.ndim > 1 else 0
    hot = _one_hot(idx, depth, np.float64)
    if output_mode == "multi_hot":
        return hot.max(axis=axis).astype(dtype)
    if count_weights is not None:
        hot = hot * np.asarray(count_weights, np.float64)[..., None]
    out = hot.sum(axis=axis)
    if output_mode == "tf_idf":
        out = out * np.asarray(idf_weights, np.float64)
    return out.astype(dtype)


def encoded_shape(input_shape, output_mode, depth):
    """The output shape of `encode_categorical` for an input of `input_shape`."""
    shape = tuple(input_shape)
    if output_mode == "int":
        return shape
    if not shape:
        return (depth,)
    if output_mode == "one_hot":
        if len(shape) > 1 and shape[-1] == 1:
            shape = shape[:-1]
        return shape + (depth,)
    if len(shape) == 1:
        return (depth,)
    return (shape[0],) + shape[2:] + (depth,)
