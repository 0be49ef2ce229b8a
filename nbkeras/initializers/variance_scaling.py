"""`VarianceScaling` and its presets: Glorot (Xavier), He and LeCun, uniform and normal.

Draws have variance `scale / n`, where n is the fan-in, the fan-out or their mean.

Example:
    >>> w = nbkeras.initializers.HeNormal(seed=0)((1000, 100))
    >>> round(float(w.var() * 1000), 1)  # scale 2 over fan_in 1000
    2.0
"""

import math

import numpy as np

from nbkeras.initializers.initializer import standardize_dtype
from nbkeras.initializers.random_initializers import RandomInitializer, truncated_normal

# The standard deviation of a unit normal truncated to [-2, 2].
_TRUNCATED_STD = 0.87962566103423978


def compute_fans(shape, input_axes=None, output_axes=None):
    """Return `(fan_in, fan_out)` for a weight of `shape`, as Keras computes them.

    Args:
        shape: the weight's shape. A kernel `(..., in, out)` has fans
            `in * receptive field` and `out * receptive field`.
        input_axes / output_axes: when both are given, the fans are the products
            of the sizes along these axes instead.

    Example:
        >>> nbkeras.initializers.compute_fans((3, 3, 8, 16))
        (72, 144)
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return (int(np.prod([shape[a] for a in input_axes])),
                int(np.prod([shape[a] for a in output_axes])))
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return int(shape[-2] * receptive), int(shape[-1] * receptive)


class VarianceScaling(RandomInitializer):
    """Draws with variance `scale / n`, n the fan_in, fan_out or their average.

    Args:
        scale: the scaling factor (positive).
        mode: `'fan_in'`, `'fan_out'` or `'fan_avg'`.
        distribution: `'truncated_normal'` (also spelled `'normal'`),
            `'untruncated_normal'` or `'uniform'` (in `[-limit, limit]` with
            `limit = sqrt(3 * scale / n)`).
        seed: None, or an int for reproducible values.
        input_axes / output_axes: optional axes whose sizes give the fans.

    Example:
        >>> init = nbkeras.initializers.VarianceScaling(scale=0.1, mode="fan_avg",
        ...                                              distribution="uniform")
    """

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("uniform", "truncated_normal", "untruncated_normal")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale!r}")
        if mode not in self._MODES:
            raise ValueError(
                f"Invalid `mode` argument. Expected one of {list(self._MODES)}. "
                f"Received: mode={mode!r}"
            )
        distribution = str(distribution).lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in self._DISTRIBUTIONS:
            raise ValueError(
                f"Invalid `distribution` argument. Expected one of {list(self._DISTRIBUTIONS)}. "
                f"Received: distribution={distribution!r}"
            )
        self.scale, self.mode, self.distribution = scale, mode, distribution
        self.input_axes, self.output_axes = input_axes, output_axes
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, n)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            out = truncated_normal(rng, shape, 0.0, math.sqrt(scale) / _TRUNCATED_STD)
        elif self.distribution == "untruncated_normal":
            out = rng.normal(0.0, math.sqrt(scale), shape)
        else:
            limit = math.sqrt(3.0 * scale)
            out = rng.uniform(-limit, limit, shape)
        return out.astype(standardize_dtype(dtype))

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


def _preset(name, scale, mode, distribution, summary):
    def __init__(self, seed=None, input_axes=None, output_axes=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed, input_axes, output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes}

    doc = (f"{summary}\n\n    `VarianceScaling(scale={scale}, mode='{mode}', "
           f"distribution='{distribution}')`.\n\n    Args:\n"
           "        seed: None, or an int for reproducible values.\n"
           "        input_axes / output_axes: optional axes whose sizes give the fans.\n\n"
           f"    Example:\n        >>> nbkeras.initializers.{name}(seed=0)((4, 3)).shape\n"
           "        (4, 3)\n    ")
    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config,
                                          "__doc__": doc, "__module__": __name__})


GlorotUniform = _preset("GlorotUniform", 1.0, "fan_avg", "uniform",
                        "Glorot (Xavier) uniform: limit sqrt(6 / (fan_in + fan_out)).")
GlorotNormal = _preset("GlorotNormal", 1.0, "fan_avg", "truncated_normal",
                       "Glorot (Xavier) normal: variance 2 / (fan_in + fan_out).")
HeUniform = _preset("HeUniform", 2.0, "fan_in", "uniform",
                    "He uniform: limit sqrt(6 / fan_in).")
HeNormal = _preset("HeNormal", 2.0, "fan_in", "truncated_normal",
                   "He normal: variance 2 / fan_in.")
LecunUniform = _preset("LecunUniform", 1.0, "fan_in", "uniform",
                       "LeCun uniform: limit sqrt(3 / fan_in).")
LecunNormal = _preset("LecunNormal", 1.0, "fan_in", "truncated_normal",
                      "LeCun normal: variance 1 / fan_in.")
