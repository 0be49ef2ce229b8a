"""`BatchNormalization`: normalizes with batch statistics in training and moving ones at inference."""

import numpy as np

from nbkeras import constraints, initializers, ops, regularizers
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer
from nbkeras.ops.nn import batch_norm_train


class BatchNormalization(Layer):
    """Normalizes the last axis (or `axis`) to zero mean and unit variance, then scales and shifts.

    In training the batch's own mean and (biased) variance are used and the
    moving statistics are updated: `moving = moving * momentum + batch * (1 - momentum)`.
    At inference the moving statistics are used.

    Args:
        axis: the feature axis (-1 by default).
        momentum: the momentum of the moving statistics (0.99).
        epsilon: added to the variance (1e-3).
        center: whether to learn an offset `beta`.
        scale: whether to learn a scale `gamma`.
        beta_initializer / gamma_initializer / moving_mean_initializer /
        moving_variance_initializer: initializers.
        beta_regularizer / gamma_regularizer / beta_constraint / gamma_constraint.

    Example:
        >>> bn = nbkeras.layers.BatchNormalization()
        >>> bn(np.random.rand(8, 3), training=True).shape
        (8, 3)
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, synchronized=False, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, **kwargs):
        super().__init__(**kwargs)
        if renorm:
            raise ValueError("nbkeras's BatchNormalization does not support batch renormalization. "
                             f"Received: renorm={renorm!r}")
        if isinstance(axis, (list, tuple)) and len(axis) == 1:
            axis = axis[0]  # Keras 2 configs store the axis as a one-element list
        self.axis = int(axis)
        self.renorm_momentum = renorm_momentum
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center, self.scale = center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.synchronized = synchronized
        self.supports_masking = True

    def build(self, input_shape):
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(
                f"Axis {self.axis} of the input to layer '{self.name}' must have a known size. "
                f"Received: input_shape={tuple(input_shape)}"
            )
        shape = (dim,)
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight(shape=shape, name="gamma", initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer, constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight(shape=shape, name="beta", initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer, constraint=self.beta_constraint)
        self.moving_mean = self.add_weight(shape=shape, name="moving_mean",
                                           initializer=self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight(shape=shape, name="moving_variance",
                                               initializer=self.moving_variance_initializer, trainable=False)
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: dim})
        self.built = True

    def _last_axis(self, x):
        return self.axis in (-1, len(x.shape) - 1)

    def call(self, inputs, training=None, mask=None):
        x = inputs
        ndim = len(x.shape)
        moved = not self._last_axis(x)
        if moved:
            perm = [i for i in range(ndim) if i != self.axis % ndim] + [self.axis % ndim]
            x = ops.transpose(x, perm)
        # Without scale or center: ones and zeros made by ops (a replayed step remakes them).
        gamma = self.gamma if self.gamma is not None else ops.ones_like(self.moving_mean)
        beta = self.beta if self.beta is not None else ops.zeros_like(self.moving_mean)
        if training and self.trainable:
            out, _, _ = batch_norm_train(x, gamma, beta, self.epsilon, self.moving_mean,
                                         self.moving_variance, self.momentum)
        else:
            out = ops.batch_normalization(x, self.moving_mean, self.moving_variance,
                                          beta, gamma, self.epsilon)
        if moved:
            out = ops.transpose(out, [int(i) for i in np.argsort(perm)])
        return out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        cfg = super().get_config()
        cfg.update({
            "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
            "center": self.center, "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
            "synchronized": self.synchronized,
            "renorm": False, "renorm_clipping": None, "renorm_momentum": self.renorm_momentum,
        })
        return cfg
