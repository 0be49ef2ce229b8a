"""What the image preprocessing layers share: the training flag, factors, image axes, seeds."""

import numpy as np

from nbkeras import config
from nbkeras.layers.layer import Layer
from nbkeras.ops.core import unwrap
from nbkeras.random.seed_generator import SeedGenerator, numpy_generator


def standardize_data_format(data_format):
    """'channels_last' or 'channels_first' (the config's default for None)."""
    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("The `data_format` argument must be one of 'channels_first', "
                         f"'channels_last'. Received: data_format={data_format!r}")
    return data_format


def image_axes(shape, data_format, name):
    """(height axis, width axis) of an image batch (4-D) or a single image (3-D)."""
    if len(shape) not in (3, 4):
        raise ValueError(f"Layer '{name}' expects images of rank 3 (one image) or 4 (a batch). "
                         f"Received: inputs.shape={tuple(shape)}")
    h = len(shape) - 3 + (0 if data_format == "channels_last" else 1)
    return h, h + 1


def base_factor(factor, bounds=(-1.0, 1.0), name="factor"):
    """Keras's `(lower, upper)` of an image layer's `factor`: f -> (max(-f, bounds[0]), f);
    a pair is sorted. The layer's config stores this pair, as Keras's does."""
    msg = (f"The `{name}` argument should be a number (or a list of two numbers) in the range "
           f"[{bounds[0]}, {bounds[1]}]. Received: {name}={factor!r}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(msg)
        return tuple(sorted(factor))
    if isinstance(factor, (int, float, np.number)) and not isinstance(factor, bool):
        if factor < bounds[0] or factor > bounds[1]:
            raise ValueError(msg)
        f = abs(factor)
        return max(-f, bounds[0]), f
    raise ValueError(msg)


def range_factor(factor, name, lowest=-1.0, highest=1.0):
    """`(lower, upper)` of a zoom or translation factor: f -> (-f, f), a pair as given."""
    if isinstance(factor, (tuple, list)) and len(factor) == 2:
        lower, upper = float(factor[0]), float(factor[1])
    elif isinstance(factor, (int, float, np.number)) and not isinstance(factor, bool):
        lower, upper = -abs(float(factor)), abs(float(factor))
    else:
        lower = upper = None
    if lower is None or lower > upper or lower < lowest or upper > highest:
        raise ValueError(f"`{name}` must be a float or a pair (lower, upper) with lower <= upper "
                         f"in [{lowest}, {highest}]. Received: {name}={factor!r}")
    return lower, upper


class RandomPreprocessingLayer(Layer):
    """Base of the random augmentation layers: active in training, the identity otherwise.

    As in Keras, a direct call (`layer(x)`, no `training`) augments; `fit` augments and
    `predict`/`evaluate` do not. Draws come from a `SeedGenerator(seed)`, so a seeded
    layer gives the same sequence of transformations in every run.

    Args:
        seed: an int for reproducible draws (None: from the global seed).
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.data_format = standardize_data_format(data_format)
        self.generator = SeedGenerator(seed)
        self.built = True

    def call(self, inputs, training=True):
        if training is None:
            training = True
        x = np.asarray(unwrap(inputs))
        dtype = x.dtype if x.dtype.kind == "f" else np.dtype(self.dtype)
        axes = image_axes(x.shape, self.data_format, self.name)
        if not training:
            return self.inference(x.astype(dtype, copy=False), axes)
        return self.augment(x.astype(dtype, copy=False), axes, numpy_generator(self.generator))

    def inference(self, x, axes):
        """The output at inference (the input, for most layers)."""
        return x

    def augment(self, x, axes, rng):
        """The augmented batch (override)."""
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"seed": self.seed, "data_format": self.data_format})
        return cfg


def batch_view(x, axes):
    """x as a 4-D batch (with the image axes at 1, 2 for channels_last), and an undo function."""
    single = x.ndim == 3
    b = x[None] if single else x
    first = axes[0] == x.ndim - 2  # channels_first
    if first:
        b = np.moveaxis(b, 1, -1)

    def undo(y):
        if first:
            y = np.moveaxis(y, -1, 1)
        return y[0] if single else y

    return np.ascontiguousarray(b), undo
