"""`LayerNormalization`, `GroupNormalization` and `UnitNormalization` (differentiable through
`nbkeras.ops`)."""

import numpy as np

from nbkeras import constraints, initializers, ops, regularizers
from nbkeras.layers.layer import Layer


def _axes(axis, ndim):
    axes = [axis] if isinstance(axis, int) else list(axis)
    out = []
    for a in axes:
        if a >= ndim or a < -ndim:
            raise ValueError(f"Invalid axis: {a}. Expected an axis in [{-ndim}, {ndim}).")
        out.append(a % ndim)
    return sorted(out)



def _standardize(x, axes, epsilon):
    """(x - mean) / sqrt(var + epsilon) over `axes`, the mean computed (and centered) once."""
    centered = x - ops.mean(x, axis=axes, keepdims=True)
    var = ops.mean(ops.square(centered), axis=axes, keepdims=True)
    return centered / ops.sqrt(var + epsilon)

class _Affine(Layer):
    """gamma / beta bookkeeping shared by Layer and Group normalization."""

    def __init__(self, center=True, scale=True, beta_initializer="zeros", gamma_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def _make_affine(self, shape, center=None):
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight(name="gamma", shape=shape, initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        if self.center if center is None else center:
            self.beta = self.add_weight(name="beta", shape=shape, initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def _affine_config(self):
        return {
            "center": self.center, "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }


class LayerNormalization(_Affine):
    """Normalize each sample over `axis` (the last by default), then scale by `gamma` and
    shift by `beta`: `(x - mean) / sqrt(var + epsilon) * gamma + beta`.

    Args:
        axis: an int or a list of ints.
        epsilon: added to the variance (1e-3).
        center / scale: learn `beta` / `gamma`.
        rms_scaling: scale only, without centring: `x / sqrt(var + eps) * gamma` (Keras 3's
            deprecated behaviour, which uses the variance).

    Example:
        >>> nbkeras.layers.LayerNormalization()(np.array([[1.0, 2.0, 3.0]]))
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False,
                 **kwargs):
        super().__init__(center=center, scale=scale, **kwargs)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else int(axis)
        self.epsilon = float(epsilon)
        self.rms_scaling = bool(rms_scaling)

    def build(self, input_shape):
        self._red_axes = tuple(_axes(self.axis, len(input_shape)))
        # As in Keras, rms_scaling makes no beta.
        self._make_affine(tuple(input_shape[a] for a in self._red_axes),
                          center=self.center and not self.rms_scaling)
        self.built = True

    def call(self, inputs):
        # The op picks its fused kernel (trailing axes) or the composite formula (other
        # axes, and Keras 3's rms_scaling, which scales by the variance).
        return ops.layer_normalization(inputs, self.gamma, self.beta, axis=list(self._red_axes),
                                       epsilon=self.epsilon, rms_scaling=self.rms_scaling)

    def get_config(self):
        cfg = super().get_config()
        axis = [self.axis] if isinstance(self.axis, int) else self.axis
        cfg.update({"axis": axis, "epsilon": self.epsilon, **self._affine_config(),
                    "rms_scaling": self.rms_scaling})
        return cfg


class GroupNormalization(_Affine):
    """Split the channels (`axis`) into `groups` and normalize each group of each sample over
    its channels and every other non-batch axis.

    Example:
        >>> nbkeras.layers.GroupNormalization(groups=2)(np.random.rand(2, 5, 4)).shape
        (2, 5, 4)
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True, **kwargs):
        super().__init__(center=center, scale=scale, **kwargs)
        self.groups = int(groups)
        self.axis = int(axis)
        self.epsilon = float(epsilon)

    def build(self, input_shape):
        c = input_shape[self.axis]
        if c is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined dimension "
                             f"but the layer received an input with shape {tuple(input_shape)}.")
        if self.groups == -1:
            self.groups = c
        if self.groups > c:
            raise ValueError(f"Number of groups ({self.groups}) cannot be more than the number "
                             f"of channels ({c}).")
        if c % self.groups:
            raise ValueError(f"Number of groups ({self.groups}) must be a multiple of the number "
                             f"of channels ({c}).")
        self._make_affine((c,))
        self.built = True

    def call(self, inputs):
        shape = tuple(inputs.shape)
        nd = len(shape)
        ax = self.axis % nd
        perm = [i for i in range(nd) if i != ax] + [ax]
        x = ops.transpose(inputs, perm) if ax != nd - 1 else inputs
        moved = tuple(x.shape)
        c = moved[-1]
        g = ops.reshape(x, moved[:-1] + (self.groups, c // self.groups))
        red = tuple(range(1, nd - 1)) + (nd,)
        out = ops.reshape(_standardize(g, red, self.epsilon), moved)
        if self.gamma is not None:
            out = out * self.gamma
        if self.beta is not None:
            out = out + self.beta
        return ops.transpose(out, list(np.argsort(perm))) if ax != nd - 1 else out

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"groups": self.groups, "axis": self.axis, "epsilon": self.epsilon,
                    **self._affine_config()})
        return cfg


class UnitNormalization(Layer):
    """Scale each sample to unit L2 norm over `axis`: `x / max(||x||, 1e-12)`.

    Example:
        >>> nbkeras.layers.UnitNormalization()(np.array([[3.0, 4.0]]))
        array([[0.6, 0.8]])
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else int(axis)
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        axes = tuple(_axes(self.axis, len(inputs.shape)))
        norm = ops.sqrt(ops.sum(ops.square(inputs), axis=axes, keepdims=True))
        return inputs / ops.maximum(norm, np.asarray(1e-12, inputs.dtype))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        cfg = super().get_config()
        cfg["axis"] = self.axis
        return cfg
