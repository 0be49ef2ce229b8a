"""Depthwise convolutions: DepthwiseConv1D and DepthwiseConv2D.

Each input channel is convolved with its own `depth_multiplier` filters: a grouped
`conv_channels_last` with one group per channel. The 1-D layer runs on inputs of height 1.
"""

from nbkeras import ops
from nbkeras.layers.convolutional.base_conv import constructor_args
from nbkeras.layers.convolutional.conv import BaseConv
from nbkeras.ops.conv import conv_channels_last


class BaseDepthwise(BaseConv):
    """Shared code of the depthwise and separable convolutions (not a public class).

    The depthwise kernel is Keras's (*kernel_size, in_channels, depth_multiplier) and its
    initializer, regularizer and constraint are stored as the layer's `kernel_*`.
    """

    # Keras's depthwise and separable layers accept strides > 1 with dilation_rate > 1.
    _strided_dilation_ok = True

    def __init__(self, rank, depth_multiplier, depthwise_initializer, depthwise_regularizer,
                 depthwise_constraint, filters=None, **kwargs):
        super().__init__(rank, filters, kernel_initializer=depthwise_initializer,
                         kernel_regularizer=depthwise_regularizer,
                         kernel_constraint=depthwise_constraint, **kwargs)
        if (isinstance(depth_multiplier, bool) or int(depth_multiplier) != depth_multiplier
                or depth_multiplier <= 0):
            raise ValueError("Invalid value for argument `depth_multiplier`. Expected a strictly "
                             f"positive value. Received depth_multiplier={depth_multiplier}.")
        self.depth_multiplier = int(depth_multiplier)

    def _depthwise(self, x, kernel, bias):
        """The depthwise convolution of NHWC `x` with the (*k, C, M) `kernel` (+ bias)."""
        c = self._in_channels
        k = self._kernel_2d(ops.reshape(kernel, self.kernel_size + (1, c * self.depth_multiplier)))
        s, d = self._geometry()
        return conv_channels_last(x, k, bias, s, self.padding, d, c, self._workspace)


class BaseDepthwiseConv(BaseDepthwise):
    """Shared code of DepthwiseConv1D and DepthwiseConv2D (not a public class)."""

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self._add_kernel("kernel", self.kernel_size + (channels, self.depth_multiplier))
        self._add_bias(channels * self.depth_multiplier)
        self._in_channels = channels
        self.built = True

    def _convolve(self, x):
        return self._depthwise(x, self.kernel, self.bias)

    def _out_channels(self, in_channels):
        return None if in_channels is None else in_channels * self.depth_multiplier

    def get_config(self):
        return self._config({"depth_multiplier": self.depth_multiplier},
                            kernels=(("depthwise", "kernel"),))


class DepthwiseConv1D(BaseDepthwiseConv):
    """Depthwise 1D convolution: each input channel gets its own `depth_multiplier` filters.

    Args:
        kernel_size: the window length (int or 1-tuple).
        strides: the step (int).
        padding: `'valid'` or `'same'`.
        depth_multiplier: output channels per input channel.
        data_format: `'channels_last'` (default) or `'channels_first'`.
        dilation_rate: the spacing between kernel taps.
        depthwise_initializer / depthwise_regularizer / depthwise_constraint: of the kernel,
            whose shape is (kernel_size, in_channels, depth_multiplier).
        activation, use_bias, bias_*: as in Dense.

    Example:
        >>> nbkeras.layers.DepthwiseConv1D(3, depth_multiplier=2)(np.zeros((1, 8, 3))).shape
        (1, 6, 6)
    """

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, **constructor_args(locals()))


class DepthwiseConv2D(BaseDepthwiseConv):
    """Depthwise 2D convolution: each input channel gets its own `depth_multiplier` filters.

    Args:
        kernel_size, strides, padding, data_format, dilation_rate: as in Conv2D.
        depth_multiplier: output channels per input channel.
        depthwise_initializer / depthwise_regularizer / depthwise_constraint: of the kernel.
        activation, use_bias, bias_*: as in Dense.

    Example:
        >>> nbkeras.layers.DepthwiseConv2D(3, depth_multiplier=2)(np.zeros((1, 5, 5, 3))).shape
        (1, 3, 3, 6)
    """

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, **constructor_args(locals()))
