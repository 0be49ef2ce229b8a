"""Projective image transforms in NumPy, as Keras's `ops.image.affine_transform` computes them.

A transform is 8 numbers `[a0, a1, a2, b0, b1, b2, c0, c1]` per image: output pixel
(x, y) reads the input at ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k) with
k = c0 x + c1 y + 1, sampled with nearest or bilinear interpolation; points outside
the image follow `fill_mode`.
"""

import numpy as np

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = {"nearest": 0, "bilinear": 1}


def check_fill_and_interpolation(fill_mode, interpolation):
    """Keras's errors for an unknown `fill_mode` or `interpolation`."""
    if fill_mode not in FILL_MODES:
        raise NotImplementedError(f"Unknown `fill_mode` {fill_mode}. Expected of one "
                                  f"{FILL_MODES}. Received: fill_mode={fill_mode!r}")
    if interpolation not in INTERPOLATIONS:
        raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Expected of one "
                                  f"{tuple(INTERPOLATIONS)}. Received: "
                                  f"interpolation={interpolation!r}")


def _mirror(index, size):
    s = size - 1
    if s == 0:
        return np.zeros_like(index)
    return np.abs((index + s) % (2 * s) - s)


def _fix_index(index, size, fill_mode):
    if fill_mode == "nearest":
        return np.clip(index, 0, size - 1)
    if fill_mode == "wrap":
        return index % size
    if fill_mode == "reflect":  # (d c b a | a b c d | d c b a)
        return (_mirror(2 * index + 1, 2 * size + 1) - 1) // 2
    return np.clip(index, 0, size - 1)  # constant: read anywhere, then masked


def _nodes(coord, order):
    """[(integer index, weight)] of the 1-D interpolation at `coord`."""
    if order == 0:
        mag = np.abs(coord)
        whole = np.floor(mag)  # round half away from zero, exactly (no `+ 0.5` rounding)
        rounded = whole + (mag - whole >= 0.5)
        return [(np.copysign(rounded, coord).astype(np.int64), 1.0)]
    lower = np.floor(coord)
    upper_w = coord - lower
    i = lower.astype(np.int64)
    return [(i, 1.0 - upper_w), (i + 1, upper_w)]


def affine_transform(images, transforms, interpolation="bilinear", fill_mode="constant",
                     fill_value=0.0):
    """Apply one projective transform per image of a (batch, height, width, channels) array.

    Args:
        images: float array (batch, height, width, channels).
        transforms: (batch, 8) or (8,) transform rows.
        interpolation: 'nearest' or 'bilinear'.
        fill_mode: 'reflect', 'wrap', 'constant' or 'nearest'.
        fill_value: the value outside the image for 'constant'.

    Example:
        >>> affine_transform(np.ones((1, 2, 2, 1), "float32"), [1, 0, 0, 0, 1, 0, 0, 0]).shape
        (1, 2, 2, 1)
    """
    order = INTERPOLATIONS[interpolation]
    t = np.asarray(transforms, np.float32).reshape(-1, 8)
    t = np.broadcast_to(t, (images.shape[0], 8))
    n, h, w, _ = images.shape
    ys, xs = np.meshgrid(np.arange(h, dtype=np.float32), np.arange(w, dtype=np.float32),
                         indexing="ij")
    out = np.empty_like(images)
    fill = images.dtype.type(fill_value)
    for b in range(n):
        a0, a1, a2, b0, b1, b2, c0, c1 = t[b]
        k = c0 * xs + c1 * ys + np.float32(1)
        x_in = (a0 * xs + a1 * ys + a2) / k
        y_in = (b0 * xs + b1 * ys + b2) / k
        acc = np.zeros(images.shape[1:], np.float32)
        for yi, wy in _nodes(y_in, order):
            for xi, wx in _nodes(x_in, order):
                val = images[b][_fix_index(yi, h, fill_mode), _fix_index(xi, w, fill_mode)]
                if fill_mode == "constant":
                    valid = (yi >= 0) & (yi < h) & (xi >= 0) & (xi < w)
                    val = np.where(valid[..., None], val, fill)
                acc += (np.asarray(wy * wx, np.float32)[..., None] if order else 1) * val
        out[b] = acc
    return out
