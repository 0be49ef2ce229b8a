"""Separable convolutions: SeparableConv1D and SeparableConv2D.

A depthwise convolution (see depthwise_conv.py) followed by a pointwise (1x1) `conv_channels_last`
to `filters` channels; the 1-D layer runs on inputs of height 1.
"""

from nbkeras import constraints, initializers, regularizers
from nbkeras.layers.convolutional.base_conv import constructor_args
from nbkeras.layers.convolutional.depthwise_conv import BaseDepthwise
from nbkeras.ops.conv import Workspace, conv_channels_last


class BaseSeparableConv(BaseDepthwise):
    """Shared code of the separable convolutions (not a public class)."""

    def __init__(self, rank, pointwise_initializer, pointwise_regularizer, pointwise_constraint,
                 **kwargs):
        super().__init__(rank, **kwargs)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.pointwise_constraint = constraints.get(pointwise_constraint)
        self._pw_workspace = Workspace()

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        m = self.depth_multiplier
        self._add_kernel("depthwise_kernel", self.kernel_size + (channels, m))
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel", shape=(1,) * self.rank + (channels * m, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint,
        )
        self._add_bias(self.filters)
        self._in_channels = channels
        self.built = True

    def _convolve(self, x):
        h = self._depthwise(x, self.depthwise_kernel, None)
        return conv_channels_last(h, self._kernel_2d(self.pointwise_kernel), self.bias, (1, 1),
                                  "valid", (1, 1), 1, self._pw_workspace)

    def get_config(self):
        return self._config({"depth_multiplier": self.depth_multiplier, "filters": self.filters},
                            kernels=(("depthwise", "kernel"), ("pointwise", "pointwise")))


class SeparableConv1D(BaseSeparableConv):
    """Depthwise 1D convolution followed by a pointwise (size-1) convolution to `filters`.

    Args:
        filters: the number of output channels.
        kernel_size: the depthwise window length (int or 1-tuple).
        strides: the depthwise step (int).
        padding: `'valid'` or `'same'`.
        data_format: `'channels_last'` (default) or `'channels_first'`.
        dilation_rate: the spacing between depthwise kernel taps.
        depth_multiplier: depthwise output channels per input channel.
        depthwise_* / pointwise_*: initializer, regularizer, constraint of each kernel
            (shapes (kernel_size, in_channels, depth_multiplier) and
            (1, in_channels * depth_multiplier, filters)).
        activation, use_bias, bias_*: as in Dense.

    Example:
        >>> nbkeras.layers.SeparableConv1D(4, 3, padding="same")(np.zeros((2, 8, 3))).shape
        (2, 8, 4)
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(1, **constructor_args(locals()))


class SeparableConv2D(BaseSeparableConv):
    """Depthwise convolution followed by a 1x1 (pointwise) convolution to `filters` channels.

    Args:
        filters: the number of output channels.
        kernel_size, strides, padding, data_format, dilation_rate: as in Conv2D.
        depth_multiplier: depthwise output channels per input channel.
        depthwise_* / pointwise_*: initializer, regularizer, constraint of each kernel.
        activation, use_bias, bias_*: as in Dense.

    Example:
        >>> nbkeras.layers.SeparableConv2D(4, 3)(np.zeros((1, 5, 5, 3))).shape
        (1, 3, 3, 4)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(2, **constructor_args(locals()))
