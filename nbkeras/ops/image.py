"""Image ops (`keras.ops.image` names): `resize`, differentiable through `ops`.

A resize is separable: along each spatial axis the output is a fixed (out x in) weight
matrix times the input, so it is two `tensordot`s and its gradient comes from theirs.
The weights follow Keras-JAX (`jax.image.resize`): output pixel `o` samples the input at
`(o + 0.5) * in / out - 0.5`, every input pixel within the kernel's support contributes
`kernel(distance)`, and the weights of each output pixel are normalized to sum to 1. With
`antialias=True` a downsampling kernel is widened by `in / out`.
"""

import functools

import numpy as np

from nbkeras import config
from nbkeras.ops import numpy as knp
from nbkeras.ops.core import composite, unwrap

__all__ = ["extract_patches", "resize"]

INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5")


def _triangle(x):
    return np.maximum(0.0, 1.0 - x)


def _keys_cubic(x):  # Keys (1981), a = -0.5
    inner = ((1.5 * x - 2.5) * x) * x + 1.0
    outer = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
    return np.where(x < 1.0, inner, np.where(x < 2.0, outer, 0.0))


def _lanczos(radius):
    def kernel(x):
        with np.errstate(divide="ignore", invalid="ignore"):
            y = radius * np.sin(np.pi * x) * np.sin(np.pi * x / radius) / (np.pi * x) ** 2
        return np.where(x > radius, 0.0, np.where(x < 1e-3, 1.0, y))
    return kernel


_KERNELS = {"bilinear": _triangle, "bicubic": _keys_cubic, "lanczos3": _lanczos(3.0),
            "lanczos5": _lanczos(5.0)}


@functools.lru_cache(maxsize=64)
def resize_weights(in_size, out_size, interpolation, antialias=False):
    """The (out_size, in_size) float64 matrix that resizes one axis (cached, read-only).

    Example:
        >>> resize_weights(2, 4, "bilinear")[0]
        array([1., 0.])
    """
    scale = out_size / in_size
    centers = (np.arange(out_size) + 0.5) / scale - 0.5
    if interpolation == "nearest":
        w = np.zeros((out_size, in_size))
        src = np.minimum(np.floor((np.arange(out_size) + 0.5) / scale).astype(int), in_size - 1)
        w[np.arange(out_size), src] = 1.0
        w.flags.writeable = False
        return w
    widen = max(1.0 / scale, 1.0) if antialias else 1.0
    dist = np.abs(centers[:, None] - np.arange(in_size)[None, :]) / widen
    w = _KERNELS[interpolation](dist)
    total = w.sum(axis=1, keepdims=True)
    w = np.where(np.abs(total) > 1000 * np.finfo(np.float32).eps, w / np.where(total == 0, 1, total), 0.0)
    inside = (centers >= -0.5) & (centers <= in_size - 0.5)
    w = w * inside[:, None]
    w.flags.writeable = False
    return w


def resize(images, size, interpolation="bilinear", antialias=False, data_format=None):
    """Resize images to `size` = (height, width).

    Args:
        images: a 3-D (one image) or 4-D (a batch) array or tensor.
        size: the output (height, width).
        interpolation: one of `'nearest'`, `'bilinear'`, `'bicubic'`, `'lanczos3'`,
            `'lanczos5'`.
        antialias: widen the kernel when downsampling.
        data_format: `'channels_last'` (default) or `'channels_first'`.

    Returns:
        The resized images, in the input's float dtype.

    Example:
        >>> nbkeras.ops.image.resize(np.ones((1, 2, 2, 3)), (4, 4)).shape
        (1, 4, 4, 3)
    """
    def run(images):
        return _resize(images, size, interpolation, antialias, data_format)

    return composite("resize", run, (images,),
                     {"size": size, "interpolation": interpolation, "antialias": antialias,
                      "data_format": data_format})


def _resize(images, size, interpolation="bilinear", antialias=False, data_format=None):
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"Invalid value for argument `interpolation`. Expected one of "
                         f"{list(INTERPOLATIONS)}. Received: interpolation={interpolation!r}")
    if not isinstance(size, (list, tuple)) or len(size) != 2 or not all(
            isinstance(s, (int, np.integer)) and s > 0 for s in size):
        raise ValueError("Argument `size` must be a tuple of two positive integers "
                         f"(height, width). Received: size={size!r}")
    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("The `data_format` argument must be one of 'channels_first', "
                         f"'channels_last'. Received: data_format={data_format!r}")
    shape = knp.shape(images)
    if len(shape) not in (3, 4):
        raise ValueError("Invalid images rank: expected rank 3 (single image) or rank 4 "
                         f"(batch of images). Received: images.shape={shape}")
    x = images
    dtype = np.asarray(unwrap(images)).dtype
    if dtype.kind != "f":
        dtype = np.dtype(config.floatx())
        x = knp.cast(x, dtype)
    offset = len(shape) - 3
    h_axis = offset + (0 if data_format == "channels_last" else 1)
    for axis, out_size in ((h_axis, size[0]), (h_axis + 1, size[1])):
        if shape[axis] == out_size:
            continue
        w = resize_weights(shape[axis], out_size, interpolation, antialias).astype(dtype)
        # (out, in) . (..., in, ...) -> (out, ...): move the new axis back into place.
        x = knp.tensordot(w, x, axes=[[1], [axis]])
        order = list(range(1, axis + 1)) + [0] + list(range(axis + 1, len(shape)))
        x = knp.transpose(x, order)
    return x


def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid",
                    data_format=None):
    """Each `size` patch of the images flattened into the channel axis (h, w, channel
    order), as Keras's `ops.image.extract_patches`; differentiable (a `conv` with an
    identity kernel).

    Args:
        images: (N, H, W, C) or (H, W, C) images (channels first with
            `data_format='channels_first'`).
        size: the patch size, an int or (height, width).
        strides: the step between patches (the patch size when None).
        dilation_rate: the patch's dilation.
        padding: 'valid' or 'same'.
        data_format: 'channels_last' or 'channels_first' (config's default when None).

    Example:
        >>> ops.image.extract_patches(np.ones((1, 4, 4, 1), "float32"), 2).shape
        (1, 2, 2, 4)
    """
    def run(images):
        return _extract_patches(images, size, strides, dilation_rate, padding, data_format)

    return composite("extract_patches", run, (images,),
                     {"size": size, "strides": strides, "dilation_rate": dilation_rate,
                      "padding": padding, "data_format": data_format})


def _extract_patches(images, size, strides, dilation_rate, padding, data_format):
    from nbkeras.ops.conv import conv

    fmt = data_format or config.image_data_format()
    ph, pw = (size, size) if isinstance(size, int) else tuple(size)
    nd = len(knp.shape(images))
    if nd not in (3, 4):
        raise ValueError("`extract_patches` expects images of rank 3 or 4. Received: images "
                         f"with shape {knp.shape(images)}")
    batched = images if nd == 4 else knp.expand_dims(images, 0)
    c = knp.shape(batched)[-1 if fmt == "channels_last" else 1]
    dtype = knp.convert_to_tensor(unwrap(batched)).dtype
    kernel = np.eye(ph * pw * c, dtype=dtype).reshape(ph, pw, c, ph * pw * c)
    out = conv(batched, kernel, strides=(ph, pw) if strides is None else strides,
               padding=padding, data_format=fmt, dilation_rate=dilation_rate)
    return out if nd == 4 else knp.squeeze(out, 0)


from nbkeras.ops.image_color import (  # noqa: E402,F401
    crop_images, gaussian_blur, hsv_to_rgb, pad_images, rgb_to_grayscale, rgb_to_hsv)

__all__ += ["crop_images", "gaussian_blur", "hsv_to_rgb", "pad_images", "rgb_to_grayscale",
            "rgb_to_hsv"]
