"""`RandomRotation`, `RandomZoom` and `RandomTranslation`: random affine transforms of images.

Each draws one transform per image in training and samples the input through it
(`affine.affine_transform`); points outside the image follow `fill_mode`.
"""

import math

import numpy as np

from nbkeras.layers.preprocessing.affine import affine_transform, check_fill_and_interpolation
from nbkeras.layers.preprocessing.base import (
    RandomPreprocessingLayer, base_factor, batch_view, range_factor,
)


class _AffineLayer(RandomPreprocessingLayer):
    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        check_fill_and_interpolation(fill_mode, interpolation)
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, fill_value

    def augment(self, x, axes, rng):
        b, undo = batch_view(x, axes)
        transforms = self.transforms(rng, b.shape[0], b.shape[1], b.shape[2])
        return undo(affine_transform(b, transforms, self.interpolation, self.fill_mode,
                                     self.fill_value))

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"fill_mode": self.fill_mode, "interpolation": self.interpolation,
                    "fill_value": self.fill_value})
        return cfg


def rotation_transforms(angles_deg, height, width):
    """Keras's rows rotating each image by `angles_deg` about its center."""
    a = np.asarray(angles_deg, np.float32) * np.float32(math.pi / 180.0)
    cx, cy = np.float32(0.5 * (width - 1)), np.float32(0.5 * (height - 1))
    cos, sin = np.cos(a), np.sin(a)
    a0, a1, b0, b1 = cos, -sin, sin, cos
    zeros = np.zeros_like(a)
    return np.stack([a0, a1, cx - cx * a0 - cy * a1, b0, b1, cy - cx * b0 - cy * b1,
                     zeros, zeros], axis=1)


class RandomRotation(_AffineLayer):
    """Randomly rotates images during training; the identity at inference.

    Args:
        factor: a fraction of a full turn: a float f rotates by an angle drawn from
            [-f * 360, f * 360] degrees, a pair (lower, upper) from [lower * 360, upper * 360]
            (positive values rotate counter-clockwise).
        fill_mode: 'reflect' (default), 'wrap', 'constant' or 'nearest'.
        interpolation: 'bilinear' (default) or 'nearest'.
        seed: an int for reproducible rotations.
        fill_value: the value outside the image for 'constant'.
        data_format: 'channels_last' (default) or 'channels_first'.

    Example:
        >>> rot = nbkeras.layers.RandomRotation(0.1, seed=1)
        >>> rot(np.ones((2, 8, 8, 3), "float32"), training=True).shape
        (2, 8, 8, 3)
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = base_factor(factor)
        self.lower, self.upper = self.factor

    def transforms(self, rng, n, height, width):
        angles = rng.uniform(self.lower * 360.0, self.upper * 360.0, n)
        return rotation_transforms(angles, height, width)

    def get_config(self):
        cfg = super().get_config()
        cfg["factor"] = self.factor
        return cfg


class RandomZoom(_AffineLayer):
    """Randomly zooms images in or out during training; the identity at inference.

    Args:
        height_factor: a float f zooms the height by 1 + a value drawn from [-f, f], or
            a pair (lower, upper); positive values zoom out, negative ones zoom in.
        width_factor: the same for the width; None keeps the aspect ratio (the height's zoom).
        fill_mode: 'reflect' (default), 'wrap', 'constant' or 'nearest'.
        interpolation: 'bilinear' (default) or 'nearest'.
        seed: an int for reproducible zooms.
        fill_value: the value outside the image for 'constant'.
        data_format: 'channels_last' (default) or 'channels_first'.

    Example:
        >>> zoom = nbkeras.layers.RandomZoom(0.2, seed=1)
        >>> zoom(np.ones((2, 8, 8, 3), "float32"), training=True).shape
        (2, 8, 8, 3)
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = range_factor(height_factor, "height_factor",
                                                            -1.0, math.inf)
        self.width_lower = self.width_upper = None
        if width_factor is not None:
            self.width_lower, self.width_upper = range_factor(width_factor, "width_factor",
                                                              -1.0, math.inf)

    def transforms(self, rng, n, height, width):
        zy = rng.uniform(1.0 + self.height_lower, 1.0 + self.height_upper, n).astype(np.float32)
        zx = zy if self.width_factor is None else rng.uniform(
            1.0 + self.width_lower, 1.0 + self.width_upper, n).astype(np.float32)
        return zoom_transforms(zx, zy, height, width)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return cfg


def zoom_transforms(zx, zy, height, width):
    """Keras's rows scaling each image by (zx, zy) about its center."""
    zx, zy = np.asarray(zx, np.float32), np.asarray(zy, np.float32)
    x_off = np.float32((width - 1.0) / 2.0) * (np.float32(1) - zx)
    y_off = np.float32((height - 1.0) / 2.0) * (np.float32(1) - zy)
    zeros = np.zeros_like(zx)
    return np.stack([zx, zeros, x_off, zeros, zy, y_off, zeros, zeros], axis=1)


class RandomTranslation(_AffineLayer):
    """Randomly shifts images during training; the identity at inference.

    Args:
        height_factor: a fraction of the height: a float f shifts by a value drawn from
            [-f, f] * height, or a pair (lower, upper); positive values shift down.
        width_factor: the same for the width; positive values shift right.
        fill_mode: 'reflect' (default), 'wrap', 'constant' or 'nearest'.
        interpolation: 'bilinear' (default) or 'nearest'.
        seed: an int for reproducible shifts.
        fill_value: the value outside the image for 'constant'.
        data_format: 'channels_last' (default) or 'channels_first'.

    Example:
        >>> shift = nbkeras.layers.RandomTranslation(0.1, 0.1, seed=1)
        >>> shift(np.ones((2, 8, 8, 3), "float32"), training=True).shape
        (2, 8, 8, 3)
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = range_factor(height_factor, "height_factor")
        self.width_lower, self.width_upper = range_factor(width_factor, "width_factor")

    def transforms(self, rng, n, height, width):
        dy = rng.uniform(self.height_lower, self.height_upper, n) * height
        dx = rng.uniform(self.width_lower, self.width_upper, n) * width
        return translation_transforms(dx, dy)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return cfg


def translation_transforms(dx, dy):
    """Keras's rows shifting each image by (dx, dy) pixels."""
    dx, dy = np.asarray(dx, np.float32), np.asarray(dy, np.float32)
    ones, zeros = np.ones_like(dx), np.zeros_like(dx)
    return np.stack([ones, zeros, -dx, zeros, ones, -dy, zeros, zeros], axis=1)
