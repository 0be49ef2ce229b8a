"""More of Keras 3's `keras.ops.image`: `rgb_to_grayscale`, `rgb_to_hsv`, `hsv_to_rgb`,
`pad_images`, `crop_images` and `gaussian_blur`, for one image (rank 3) or a batch (rank 4), in either
data format; differentiable (built from other ops).

Example:
    >>> ops.image.rgb_to_grayscale(np.ones((2, 2, 3), "float32")).shape
    (2, 2, 1)
"""

import numpy as np

from nbkeras import config
from nbkeras.ops import numpy as knp
from nbkeras.ops.array import pad, slice as _slice
from nbkeras.ops.core import composite, unwrap

__all__ = ["crop_images", "gaussian_blur", "hsv_to_rgb", "pad_images", "rgb_to_grayscale",
           "rgb_to_hsv"]


def _check_rank(images):
    shape = knp.shape(images)
    if len(shape) not in (3, 4):
        raise ValueError("Invalid images rank: expected rank 3 (single image) or rank 4 "
                         f"(batch of images). Received: images.shape={shape}")
    return shape


def _channels_axis(data_format):
    return -1 if (data_format or config.image_data_format()) == "channels_last" else -3


def _float_dtype(images):
    dt = np.dtype(getattr(unwrap(images), "dtype", np.float32))
    if dt.kind != "f":
        raise ValueError(f"Invalid images dtype: expected float dtype. Received: "
                         f"images.dtype={dt}")
    return dt


def rgb_to_grayscale(images, data_format=None):
    """Luma `0.2989 R + 0.5870 G + 0.1140 B` of RGB images (one channel; a one-channel
    input is returned as is), in the input's dtype.

    Example:
        >>> ops.image.rgb_to_grayscale(np.ones((1, 1, 3), "float32"))
        array([[[0.9999]]], dtype=float32)
    """
    shape = _check_rank(images)
    ax = _channels_axis(data_format)
    if shape[ax] not in (1, 3):
        raise ValueError("Invalid channel size: expected 3 (RGB) or 1 (Grayscale). "
                         f"Received input with shape: images.shape={shape}")

    def run(x):
        if knp.shape(x)[ax] == 1:
            return knp.multiply(x, 1)
        dt = np.dtype(knp.convert_to_tensor(x).dtype)
        xf = x if dt.kind == "f" else knp.cast(x, config.floatx())
        w = np.array([0.2989, 0.5870, 0.1140], np.dtype(knp.convert_to_tensor(xf).dtype))
        gray = knp.expand_dims(knp.tensordot(xf, w, axes=([ax % len(shape)], [0])), ax)
        return gray if dt.kind == "f" else knp.cast(gray, dt)

    return composite("rgb_to_grayscale", run, (images,), {"data_format": data_format})


def _planes(x, ax):
    from nbkeras.ops.array import split
    return [knp.squeeze(p, ax) for p in split(x, 3, axis=ax)]


def rgb_to_hsv(images, data_format=None):
    """RGB images (floats in [0, 1]) to HSV, all three in [0, 1] (hue 0 is red).

    Example:
        >>> ops.image.rgb_to_hsv(np.array([[[1.0, 0.0, 0.0]]], "float32"))
        array([[[0., 1., 1.]]], dtype=float32)
    """
    _check_rank(images)
    dt = _float_dtype(images)
    ax = _channels_axis(data_format)
    eps = float(np.finfo(dt).eps)

    def run(x):
        x = knp.where(knp.less(knp.abs(x), eps), 0.0, x)
        r, g, b = _planes(x, ax)
        value = knp.maximum(knp.maximum(r, g), b)
        minimum = knp.minimum(knp.minimum(r, g), b)
        rng = knp.subtract(value, minimum)
        safe_value = knp.where(knp.greater(value, 0), value, 1.0)
        safe_range = knp.where(knp.greater(rng, 0), rng, 1.0)
        sat = knp.where(knp.greater(value, 0), knp.divide(rng, safe_value), 0.0)
        norm = knp.divide(1.0, knp.multiply(safe_range, 6.0))
        hue = knp.where(knp.equal(value, g), norm * (b - r) + 2.0 / 6.0,
                        norm * (r - g) + 4.0 / 6.0)
        hue = knp.where(knp.equal(value, r), norm * (g - b), hue)
        hue = knp.where(knp.greater(rng, 0), hue, 0.0) + knp.cast(knp.less(hue, 0.0), dt)
        return knp.cast(knp.stack([hue, sat, value], axis=ax), dt)

    return composite("rgb_to_hsv", run, (images,), {"data_format": data_format})


def hsv_to_rgb(images, data_format=None):
    """HSV images (floats in [0, 1]) to RGB.

    Example:
        >>> ops.image.hsv_to_rgb(np.array([[[0.0, 1.0, 1.0]]], "float32"))
        array([[[1., 0., 0.]]], dtype=float32)
    """
    _check_rank(images)
    dt = _float_dtype(images)
    ax = _channels_axis(data_format)

    def run(x):
        from nbkeras.ops.math import floor
        h, s, v = _planes(x, ax)
        dh = knp.multiply(knp.subtract(h, floor(h)), 6.0)  # h mod 1, with h's gradient
        dr = knp.clip(knp.abs(dh - 3.0) - 1.0, 0.0, 1.0)
        dg = knp.clip(2.0 - knp.abs(dh - 2.0), 0.0, 1.0)
        db = knp.clip(2.0 - knp.abs(dh - 4.0), 0.0, 1.0)
        one_minus_s = 1.0 - s
        rgb = [v * (one_minus_s + s * d) for d in (dr, dg, db)]
        return knp.cast(knp.stack(rgb, axis=ax), dt)

    return composite("hsv_to_rgb", run, (images,), {"data_format": data_format})


def _hw(shape, data_format):
    cl = (data_format or config.image_data_format()) == "channels_last"
    return (shape[-3], shape[-2]) if cl else (shape[-2], shape[-1]), cl


def _two_of_three(what, a, b, target, names):
    given = [v is not None for v in (a, b, target)]
    if sum(given) != 2:
        raise ValueError(f"Exactly two of {names} must be given for the {what}. Received: "
                         f"{names[0]}={a}, {names[1]}={b}, {names[2]}={target}")


def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None,
               right_padding=None, target_height=None, target_width=None, data_format=None):
    """Pad images with zeros to a size (two of top / bottom / target_height, and two of
    left / right / target_width).

    Example:
        >>> ops.image.pad_images(np.ones((2, 2, 1)), 1, 0, target_height=4, target_width=3)
        ... .shape
        (4, 3, 1)
    """
    shape = _check_rank(images)
    _two_of_three("height", top_padding, bottom_padding, target_height,
                  ("top_padding", "bottom_padding", "target_height"))
    _two_of_three("width", left_padding, right_padding, target_width,
                  ("left_padding", "right_padding", "target_width"))
    (h, w), cl = _hw(shape, data_format)
    top = target_height - bottom_padding - h if top_padding is None else top_padding
    bottom = target_height - top - h if bottom_padding is None else bottom_padding
    left = target_width - right_padding - w if left_padding is None else left_padding
    right = target_width - left - w if right_padding is None else right_padding
    for name, v in (("top_padding", top), ("left_padding", left), ("right_padding", right),
                    ("bottom_padding", bottom)):
        if v < 0:
            raise ValueError(f"{name} must be >= 0. Received: {name}={v}")
    widths = [[top, bottom], [left, right]]
    widths = widths + [[0, 0]] if cl else [[0, 0]] + widths
    if len(shape) == 4:
        widths = [[0, 0]] + widths

    return composite("pad_images", lambda x: pad(x, widths), (images,), {
        "top_padding": top_padding, "left_padding": left_padding,
        "bottom_padding": bottom_padding, "right_padding": right_padding,
        "target_height": target_height, "target_width": target_width,
        "data_format": data_format})


def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None,
                right_cropping=None, target_height=None, target_width=None,
                data_format=None):
    """Crop images to a size (two of top / bottom / target_height, and two of left /
    right / target_width).

    Example:
        >>> ops.image.crop_images(np.ones((4, 4, 1)), 1, 1, target_height=2, target_width=2)
        ... .shape
        (2, 2, 1)
    """
    shape = _check_rank(images)
    _two_of_three("height", top_cropping, bottom_cropping, target_height,
                  ("top_cropping", "bottom_cropping", "target_height"))
    _two_of_three("width", left_cropping, right_cropping, target_width,
                  ("left_cropping", "right_cropping", "target_width"))
    (h, w), cl = _hw(shape, data_format)
    top = h - target_height - bottom_cropping if top_cropping is None else top_cropping
    th = h - bottom_cropping - top if target_height is None else target_height
    left = w - target_width - right_cropping if left_cropping is None else left_cropping
    tw = w - right_cropping - left if target_width is None else target_width
    for name, v in (("top_cropping", top), ("target_height", th), ("left_cropping", left),
                    ("target_width", tw)):
        if v < 0:
            raise ValueError(f"{name} must be >= 0. Received: {name}={v}")
    c = shape[-1] if cl else shape[-3]
    start, size = ([top, left, 0], [th, tw, c]) if cl else ([0, top, left], [c, th, tw])

    def run(x):
        st, sz = list(start), list(size)
        if len(knp.shape(x)) == 4:
            st, sz = [0] + st, [knp.shape(x)[0]] + sz
        return _slice(x, st, sz)

    return composite("crop_images", run, (images,), {
        "top_cropping": top_cropping, "left_cropping": left_cropping,
        "bottom_cropping": bottom_cropping, "right_cropping": right_cropping,
        "target_height": target_height, "target_width": target_width,
        "data_format": data_format})


def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Blur each channel with a normalized Gaussian kernel ('same' size, zero padding), as
    Keras's: `kernel_size` and `sigma` are (x, y), i.e. (width, height); differentiable.

    Example:
        >>> ops.image.gaussian_blur(np.ones((1, 5, 5, 2), "float32")).shape
        (1, 5, 5, 2)
    """
    from nbkeras.ops.conv_extra import depthwise_conv
    shape = _check_rank(images)
    dt = np.dtype(getattr(unwrap(images), "dtype", np.float32))
    dt = dt if dt.kind == "f" else np.dtype(config.floatx())
    ks = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
    sg = (sigma, sigma) if isinstance(sigma, (int, float)) else tuple(sigma)

    def k1(size, s):
        x = np.arange(size, dtype=dt) - dt.type((size - 1) / 2)
        k = np.exp(-0.5 * (x / dt.type(s)) ** 2)
        return k / k.sum()

    kernel2d = np.outer(k1(ks[1], sg[1]), k1(ks[0], sg[0])).astype(dt)  # (height, width)
    fmt = data_format or config.image_data_format()
    c = shape[-1] if fmt == "channels_last" else shape[-3]
    kernel = np.repeat(kernel2d[:, :, None, None], c, axis=2)  # (kh, kw, C, 1)

    def run(x):
        single = len(knp.shape(x)) == 3
        if single:
            x = knp.expand_dims(x, 0)
        y = depthwise_conv(x, kernel, padding="same", data_format=fmt)
        return knp.squeeze(y, 0) if single else y

    return composite("gaussian_blur", run, (images,),
                     {"kernel_size": list(ks), "sigma": list(sg), "data_format": data_format})
