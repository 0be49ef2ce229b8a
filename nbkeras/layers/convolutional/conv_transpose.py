"""Transposed convolutions: Conv1DTranspose, Conv2DTranspose and Conv3DTranspose.

All run `nbkeras.ops.conv.conv_transpose_channels_last`; the 1-D layer as a 2-D one on inputs of
height 1, with Keras's (kernel_size, filters, in_channels) kernel.
"""

from nbkeras.layers.convolutional.base_conv import constructor_args, normalize_tuple
from nbkeras.layers.convolutional.conv import BaseConv
from nbkeras.ops.conv import conv_transpose_channels_last, conv_transpose_geometry


class BaseConvTranspose(BaseConv):
    """Shared code of the transposed convolutions (not a public class)."""

    def __init__(self, rank, output_padding=None, **kwargs):
        super().__init__(rank, **kwargs)
        self.output_padding = (None if output_padding is None else
                               normalize_tuple(output_padding, rank, "output_padding", True))
        for i, (p, s) in enumerate(zip(self.output_padding or (), self.strides)):
            if p >= s:
                raise ValueError(
                    "`output_padding` must be strictly less than `strides` for all "
                    f"dimensions. At dimension {i}, `output_padding` is {p} but `strides` is "
                    f"{s}. Received: output_padding={self.output_padding}, "
                    f"strides={self.strides}"
                )

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self._add_kernel("kernel", self.kernel_size + (self.filters, channels))
        self._add_bias(self.filters)
        self._in_channels = channels
        self.built = True

    def _convolve(self, x):
        s, d = self._geometry()
        op = self.output_padding
        if op is not None and self.rank == 1:
            op = (None,) + op  # the unit height axis takes no output padding
        return conv_transpose_channels_last(x, self._kernel_2d(self.kernel), self.bias, s,
                                            self.padding, op, d, self._workspace)

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        spatial, _ = self._spatial(input_shape)
        op = self.output_padding or (None,) * self.rank
        out = [conv_transpose_geometry(size, self.kernel_size[i], self.strides[i],
                                       self.dilation_rate[i], self.padding, op[i])[0]
               for i, size in enumerate(spatial)]
        return self._assemble(input_shape[0], out, self.filters)

    def get_config(self):
        out = {}
        for k, v in self._config({"filters": self.filters}).items():
            out[k] = v
            if k == "padding":
                out["output_padding"] = self.output_padding
        return out


class Conv1DTranspose(BaseConvTranspose):
    """Transposed 1D convolution (the gradient of Conv1D), e.g. to upsample sequences.

    Args:
        filters: the number of output channels.
        kernel_size: the window length (int or 1-tuple).
        strides: the step (int); `strides > 1` excludes `dilation_rate > 1`.
        padding: `'valid'` or `'same'`.
        output_padding: None or an int below `strides`: extra steps on the output's far side.
        data_format: `'channels_last'` (default) or `'channels_first'`.
        dilation_rate: the spacing between kernel taps.
        activation, use_bias, *_initializer, *_regularizer, *_constraint: as in Dense.

    Example:
        >>> nbkeras.layers.Conv1DTranspose(4, 3, strides=2)(np.zeros((2, 10, 3))).shape
        (2, 21, 4)
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, **constructor_args(locals()))


class Conv2DTranspose(BaseConvTranspose):
    """Transposed 2D convolution (the gradient of Conv2D), e.g. for upsampling decoders.

    Args:
        filters: the number of output channels.
        kernel_size, strides, padding, data_format, dilation_rate: as in Conv2D.
        output_padding: None, an int or a pair: extra rows/columns on the output's far side.
        activation, use_bias, *_initializer, *_regularizer, *_constraint: as in Dense.

    Example:
        >>> nbkeras.layers.Conv2DTranspose(4, 3, strides=2, padding="same")(
        ...     np.zeros((1, 5, 5, 2))).shape
        (1, 10, 10, 4)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1), activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, **constructor_args(locals()))


class Conv3DTranspose(BaseConvTranspose):
    """Transposed 3D convolution (the gradient of Conv3D), e.g. for volumetric decoders.

    Args:
        filters: the number of output channels.
        kernel_size, strides, padding, data_format, dilation_rate: as in Conv3D.
        output_padding: None, an int or a triple: extra entries on the output's far side.
        activation, use_bias, *_initializer, *_regularizer, *_constraint: as in Dense.

    Example:
        >>> nbkeras.layers.Conv3DTranspose(4, 3, strides=2, padding="same")(
        ...     np.zeros((1, 2, 3, 3, 2))).shape
        (1, 4, 6, 6, 4)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, output_padding=None, dilation_rate=(1, 1, 1),
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(3, **constructor_args(locals()))
