"""`Resizing`: resize images to a fixed (height, width), optionally cropping or padding first."""

import numpy as np

from nbkeras import ops
from nbkeras.layers.layer import Layer
from nbkeras.layers.preprocessing.base import image_axes, standardize_data_format
from nbkeras.ops import image as image_ops


def aspect_crop_box(height, width, target_height, target_width):
    """Keras's centered (h_start, w_start, crop_height, crop_width) of the target's aspect ratio."""
    crop_h = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_w = max(min(width, int(float(height * target_width) / target_height)), 1)
    return int(float(height - crop_h) / 2), int(float(width - crop_w) / 2), crop_h, crop_w


def crop(x, axes, h0, w0, h, w):
    """x[..., h0:h0+h, w0:w0+w, ...] along the two image axes (differentiable)."""
    index = [slice(None)] * len(ops.shape(x))
    index[axes[0]] = slice(h0, h0 + h)
    index[axes[1]] = slice(w0, w0 + w)
    return x[tuple(index)]


def resize_images(x, size, axes, data_format, interpolation="bilinear", crop_to_aspect_ratio=False,
                  pad_to_aspect_ratio=False, fill_value=0.0, antialias=False):
    """Keras's `ops.image.resize` with its `crop_to_aspect_ratio` / `pad_to_aspect_ratio`."""
    shape = ops.shape(x)
    height, width = shape[axes[0]], shape[axes[1]]
    th, tw = size
    if crop_to_aspect_ratio:
        x = crop(x, axes, *aspect_crop_box(height, width, th, tw))
    elif pad_to_aspect_ratio:
        # Keras pads `start` rows (or else columns) on both sides of the image.
        top = int(float(max(height, int(float(width * th) / tw)) - height) / 2)
        left = int(float(max(width, int(float(height * tw) / th)) - width) / 2)
        axis, n = (axes[0], top) if top > 0 else (axes[1], left)
        if n > 0:
            fill_shape = list(shape)
            fill_shape[axis] = n
            dtype = np.asarray(ops.convert_to_numpy(x)).dtype
            pad = np.full(fill_shape, fill_value, dtype)
            x = ops.concatenate([pad, x, pad], axis=axis)
    return image_ops.resize(x, (th, tw), interpolation=interpolation, antialias=antialias,
                            data_format=data_format)


class Resizing(Layer):
    """Resizes images to `(height, width)`.

    Args:
        height, width: the output size.
        interpolation: 'bilinear' (default), 'nearest', 'bicubic', 'lanczos3' or 'lanczos5'.
        crop_to_aspect_ratio: crop the largest centered window of the target's aspect
            ratio first (no distortion).
        pad_to_aspect_ratio: pad (with `fill_value`) to the target's aspect ratio first.
        fill_mode: only 'constant'.
        fill_value: the padding value.
        antialias: widen the filter when downsampling.
        data_format: 'channels_last' (default) or 'channels_first'.

    Example:
        >>> nbkeras.layers.Resizing(4, 4)(np.ones((2, 8, 8, 3), "float32")).shape
        (2, 4, 4, 3)
    """

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if interpolation not in image_ops.INTERPOLATIONS:
            raise ValueError(f"Invalid value for argument `interpolation`. Expected one of "
                             f"{list(image_ops.INTERPOLATIONS)}. "
                             f"Received: interpolation={interpolation!r}")
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be "
                             f"`True`. Received: crop_to_aspect_ratio={crop_to_aspect_ratio}, "
                             f"pad_to_aspect_ratio={pad_to_aspect_ratio}")
        if fill_mode != "constant":
            raise ValueError("Invalid value for argument `fill_mode`. Only 'constant' is "
                             f"supported. Received: fill_mode={fill_mode!r}")
        self.height, self.width = int(height), int(width)
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode, self.fill_value = fill_mode, fill_value
        self.antialias = antialias
        self.data_format = standardize_data_format(data_format)
        self.built = True

    def call(self, inputs):
        x = ops.cast(inputs, self.dtype)
        axes = image_axes(ops.shape(x), self.data_format, self.name)
        return resize_images(x, (self.height, self.width), axes, self.data_format,
                             self.interpolation, self.crop_to_aspect_ratio,
                             self.pad_to_aspect_ratio, self.fill_value, self.antialias)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        axes = image_axes(shape, self.data_format, self.name)
        shape[axes[0]], shape[axes[1]] = self.height, self.width
        return tuple(shape)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"height": self.height, "width": self.width,
                    "interpolation": self.interpolation,
                    "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                    "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                    "fill_value": self.fill_value, "antialias": self.antialias,
                    "data_format": self.data_format})
        return cfg
