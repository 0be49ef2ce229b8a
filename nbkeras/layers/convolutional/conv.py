"""Convolution layers: `BaseConv` (shared by every convolution), Conv1D, Conv2D and Conv3D.

Each runs on `nbkeras.ops.conv`'s im2col + BLAS ops and keeps a `Workspace`, so its
im2col buffer is allocated once per input shape and reused across training steps.
1-D layers run as 2-D ones on images of height 1 (`ops.conv.to_nhwc`, `_geometry`,
`_kernel_2d`).
The transposed, depthwise and separable convolutions live in conv_transpose.py,
depthwise_conv.py and separable_conv.py.
"""

from nbkeras import activations, constraints, initializers, ops, regularizers
from nbkeras.layers.convolutional.base_conv import (
    SpatialLayer, constructor_args, normalize_data_format, normalize_padding, normalize_tuple,
)
from nbkeras.layers.input_spec import InputSpec
from nbkeras.ops.conv import Workspace, conv_channels_last, to_nhwc


class BaseConv(SpatialLayer):
    """Shared code of the convolution layers (not a public class)."""

    # Keras refuses strides > 1 with dilation_rate > 1 in Conv*D and Conv*DTranspose only.
    _strided_dilation_ok = False

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, lora_alpha=None,
                 allowed_padding=("valid", "same"), **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        if filters is not None and (isinstance(filters, bool) or int(filters) != filters
                                    or filters <= 0):
            raise ValueError(
                "Invalid value for argument `filters`. Expected a strictly positive value. "
                f"Received filters={filters}."
            )
        self.filters = None if filters is None else int(filters)
        self.groups = int(groups)
        if self.groups <= 0:
            raise ValueError(
                f"The `groups` argument must be a positive integer. Received: groups={groups}")
        if self.filters is not None and self.filters % self.groups:
            raise ValueError(
                "The number of filters must be evenly divisible by the number of groups. "
                f"Received: groups={self.groups}, filters={self.filters}."
            )
        self.kernel_size = normalize_tuple(kernel_size, rank, "kernel_size")
        self.strides = normalize_tuple(strides, rank, "strides")
        self.dilation_rate = normalize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = normalize_padding(padding, allowed_padding)
        self.data_format = normalize_data_format(data_format)
        if (not self._strided_dilation_ok and max(self.strides) > 1
                and max(self.dilation_rate) > 1):
            raise ValueError(
                "`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}"
            )
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.lora_rank, self.lora_alpha = lora_rank, lora_alpha
        self.input_spec = InputSpec(min_ndim=rank + 2)
        self._in_channels = None
        self._workspace = Workspace()

    # ------------------------------------------------------------------ build
    def _input_channels(self, input_shape):
        self._check_rank(input_shape)
        _, channels = self._spatial(input_shape)
        if channels is None:
            raise ValueError(
                f"Layer \"{self.name}\" needs a known channel dimension: expected shape "
                f"{self._expected_shape('C')} ({self.data_format}). "
                f"Received: input_shape={tuple(input_shape)}"
            )
        return int(channels)

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        if channels % self.groups:
            raise ValueError(
                f"Layer \"{self.name}\": the number of input channels must be evenly divisible "
                f"by the number of groups. Received groups={self.groups}, but the input has "
                f"{channels} channels (full input shape is {tuple(input_shape)})."
            )
        self._add_kernel("kernel", self.kernel_size + (channels // self.groups, self.filters))
        self._add_bias(self.filters)
        self._in_channels = channels
        self.built = True

    def _add_kernel(self, name, shape):
        """Add the kernel `name` with the layer's kernel (or depthwise) initializer etc."""
        weight = self.add_weight(
            name=name, shape=shape, initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
        )
        setattr(self, name, weight)

    def _add_bias(self, units):
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(units,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
            )

    # ------------------------------------------------------------------- call
    def _geometry(self):
        """(strides, dilation) as 2-D pairs."""
        if self.rank == 1:
            return (1,) + self.strides, (1,) + self.dilation_rate
        return self.strides, self.dilation_rate

    def _kernel_2d(self, kernel):
        return ops.expand_dims(kernel, 0) if self.rank == 1 else kernel

    def _convolve(self, x, fused=("linear", 0.0)):
        s, d = self._geometry()
        return conv_channels_last(x, self._kernel_2d(self.kernel), self.bias, s, self.padding,
                                  d, self.groups, self._workspace, *fused)

    def call(self, inputs):
        x, from_nhwc = to_nhwc(inputs, self.data_format, self.rank)
        # Plain convolutions apply a table activation with the bias, in the conv's own pass.
        fused = (activations.FUSED.get(self.activation)
                 if type(self)._convolve is BaseConv._convolve else None)
        try:
            y = self._convolve(x, fused) if fused else self._convolve(x)
        except ValueError as e:
            raise ValueError(f"Layer \"{self.name}\" cannot process input of shape "
                             f"{tuple(inputs.shape)}: {e}") from None
        if (not fused and self.activation is not None
                and self.activation is not activations.linear):
            y = self.activation(y)
        return from_nhwc(y)

    def _out_channels(self, in_channels):
        return self.filters

    def compute_output_shape(self, input_shape):
        return self._output_shape(input_shape, self.kernel_size, self.strides,
                                  self.dilation_rate,
                                  self._out_channels(self._spatial(input_shape)[1]))

    def _config(self, first, after_geometry=None, kernels=(("kernel", "kernel"),)):
        """Keras's config, in Keras's key order: name, trainable, dtype, `first`, the geometry,
        `after_geometry`, activation, use_bias, then the initializer, regularizer and constraint
        of each kernel in `kernels` ((config prefix, attribute prefix) pairs) and of the bias."""
        cfg = super().get_config()
        cfg.pop("activity_regularizer", None)
        cfg.update(first)
        cfg.update({
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
        })
        cfg.update(after_geometry or {})
        cfg.update({"activation": activations.serialize(self.activation),
                    "use_bias": self.use_bias})
        modules = {"initializer": initializers, "regularizer": regularizers,
                   "constraint": constraints}
        for kind, module in modules.items():
            for key, attr in tuple(kernels) + (("bias", "bias"),):
                cfg[f"{key}_{kind}"] = module.serialize(getattr(self, f"{attr}_{kind}"))
            if kind == "regularizer":
                cfg["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return cfg

    def get_config(self):
        return self._config({"filters": self.filters}, {"groups": self.groups})


class Conv1D(BaseConv):
    """1D convolution over (batch, steps, channels) inputs (channels_last).

    Args:
        filters: the number of output channels.
        kernel_size: the window length (int or 1-tuple).
        strides: the step (int).
        padding: `'valid'`, `'same'` or `'causal'` (left padding, no look-ahead).
        data_format: `'channels_last'` (default) or `'channels_first'`.
        dilation_rate: the spacing between kernel taps.
        groups: split the channels into this many independent groups.
        activation, use_bias, *_initializer, *_regularizer, *_constraint: as in Dense.

    Example:
        >>> nbkeras.layers.Conv1D(4, 3)(np.zeros((2, 10, 3))).shape
        (2, 8, 4)
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, allowed_padding=("valid", "same", "causal"),
                         **constructor_args(locals()))


class Conv2D(BaseConv):
    """2D convolution over (batch, height, width, channels) images (channels_last).

    Args:
        filters: the number of output channels.
        kernel_size: an int or (height, width).
        strides: an int or a pair.
        padding: `'valid'` (no padding) or `'same'` (output size ceil(input / stride)).
        data_format: `'channels_last'` (default) or `'channels_first'`.
        dilation_rate: an int or a pair (atrous convolution).
        groups: split the channels into this many independent groups.
        activation, use_bias, *_initializer, *_regularizer, *_constraint: as in Dense.

    Example:
        >>> nbkeras.layers.Conv2D(8, 3, padding="same")(np.zeros((2, 5, 5, 3))).shape
        (2, 5, 5, 8)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, **constructor_args(locals()))


class Conv3D(BaseConv):
    """3D convolution over (batch, depth, height, width, channels) volumes (channels_last).

    Args:
        filters: the number of output channels.
        kernel_size: an int or (depth, height, width).
        strides: an int or a triple.
        padding: `'valid'` (no padding) or `'same'` (output size ceil(input / stride)).
        data_format: `'channels_last'` (default) or `'channels_first'`.
        dilation_rate: an int or a triple.
        groups: split the channels into this many independent groups.
        activation, use_bias, *_initializer, *_regularizer, *_constraint: as in Dense.

    Example:
        >>> nbkeras.layers.Conv3D(4, 3)(np.zeros((2, 5, 6, 7, 3))).shape
        (2, 3, 4, 5, 4)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1, 1), groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(3, **constructor_args(locals()))
