"""`RandomCrop`: a random (height, width) window in training, a centered one at inference."""

import numpy as np

from nbkeras.layers.preprocessing.base import RandomPreprocessingLayer
from nbkeras.layers.preprocessing.resizing import aspect_crop_box, crop, resize_images


class RandomCrop(RandomPreprocessingLayer):
    """Crops a random `(height, width)` window (the same for the whole batch) in training.

    In training, an image not larger than the target is cut to a (height, width) window
    at the start of the centered aspect-ratio box and resized, as Keras 3 does. At
    inference the largest centered window of the target's aspect ratio is cropped and
    resized to `(height, width)`, as Keras documents (Keras 3.15 itself returns the input
    unchanged at inference, which contradicts its own output shape).

    Args:
        height, width: the output size.
        seed: an int for reproducible crops.
        data_format: 'channels_last' (default) or 'channels_first'.

    Example:
        >>> crop = nbkeras.layers.RandomCrop(4, 4, seed=1)
        >>> crop(np.ones((2, 8, 8, 3), "float32"), training=True).shape
        (2, 4, 4, 3)
    """

    def __init__(self, height, width, seed=None, data_format=None, name=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, name=name, **kwargs)
        self.height, self.width = int(height), int(width)

    def augment(self, x, axes, rng):
        h, w = x.shape[axes[0]], x.shape[axes[1]]
        if h > self.height and w > self.width:
            h0 = int(rng.uniform(0, float(h - self.height + 1)))
            w0 = int(rng.uniform(0, float(w - self.width + 1)))
            return np.ascontiguousarray(crop(x, axes, h0, w0, self.height, self.width))
        # Keras: a (height, width) window from the start of the aspect-ratio box, resized.
        h0, w0, _, _ = aspect_crop_box(h, w, self.height, self.width)
        out = crop(x, axes, h0, w0, self.height, self.width)
        if (out.shape[axes[0]], out.shape[axes[1]]) != (self.height, self.width):
            out = resize_images(out, (self.height, self.width), axes, self.data_format)
        return np.ascontiguousarray(out)

    def inference(self, x, axes):
        h, w = x.shape[axes[0]], x.shape[axes[1]]
        box = aspect_crop_box(h, w, self.height, self.width)
        out = crop(x, axes, *box)
        if box[2:] != (self.height, self.width):
            out = resize_images(out, (self.height, self.width), axes, self.data_format)
        return np.ascontiguousarray(out)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        h = len(shape) - 3 + (0 if self.data_format == "channels_last" else 1)
        shape[h], shape[h + 1] = self.height, self.width
        return tuple(shape)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"height": self.height, "width": self.width})
        return cfg
