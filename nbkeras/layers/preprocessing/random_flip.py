"""`RandomFlip`: flip each image horizontally and/or vertically with probability 1/2."""

import numpy as np

from nbkeras.layers.preprocessing.base import RandomPreprocessingLayer

HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL = "horizontal", "vertical", "horizontal_and_vertical"


class RandomFlip(RandomPreprocessingLayer):
    """Randomly flips images during training; the identity at inference.

    Args:
        mode: 'horizontal', 'vertical' or 'horizontal_and_vertical' (each flip drawn
            independently per image).
        seed: an int for reproducible flips.
        data_format: 'channels_last' (default) or 'channels_first'.

    Example:
        >>> flip = nbkeras.layers.RandomFlip("horizontal", seed=1)
        >>> flip(np.ones((2, 4, 4, 3), "float32"), training=True).shape
        (2, 4, 4, 3)
    """

    def __init__(self, mode=HORIZONTAL_AND_VERTICAL, seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if mode not in (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL):
            raise ValueError(f"RandomFlip layer {self.name} received an unknown mode argument "
                             f"{mode}. Expected one of 'horizontal', 'vertical', "
                             f"'horizontal_and_vertical'. Received: mode={mode!r}")
        self.mode = mode

    def augment(self, x, axes, rng):
        single = x.ndim == 3
        n = 1 if single else x.shape[0]
        out = x.copy()
        for axis, on in ((axes[1], self.mode != VERTICAL), (axes[0], self.mode != HORIZONTAL)):
            if not on:
                continue
            flip = rng.random(n) < 0.5
            if single:
                if flip[0]:
                    out = np.flip(out, axis)
            else:
                out[flip] = np.flip(out[flip], axis)
        return np.ascontiguousarray(out)

    def get_config(self):
        cfg = super().get_config()
        cfg["mode"] = self.mode
        return cfg
