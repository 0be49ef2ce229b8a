"""Convolution layers: Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D.

Each runs on `nbkeras.ops.conv`'s im2col + BLAS ops and keeps a `Workspace`, so its
im2col buffer is allocated once per input shape and reused across training steps.
"""

from nbkeras import activations, constraints, initializers, ops, regularizers
from nbkeras.layers.convolutional.base_conv import (
    SpatialLayer, normalize_data_format, normalize_padding, normalize_tuple,
)
from nbkeras.layers.input_spec import InputSpec
from nbkeras.ops.conv import (
    Workspace, conv2d_nhwc, conv2d_transpose_nhwc, conv_output_padding, conv_transpose_geometry,
)


class BaseConv(SpatialLayer):
    """Shared code of the convolution layers (not a public class)."""

    _kernel_role = "kernel"

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
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
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
        shape = self.kernel_size + (channels // self.groups, self.filters)
        self.kernel = self.add_weight(
            name="kernel", shape=shape, initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
            )
        self._in_channels = channels
        self.built = True

    # ------------------------------------------------------------------- call
    def _to_nhwc(self, x):
        if self.data_format == "channels_first":
            x = ops.transpose(x, (0,) + tuple(range(2, self.rank + 2)) + (1,))
        if self.rank == 1:
            x = ops.expand_dims(x, 1)
        return x

    def _from_nhwc(self, y):
        if self.rank == 1:
            y = ops.squeeze(y, 1)
        if self.data_format == "channels_first":
            y = ops.transpose(y, (0, self.rank + 1) + tuple(range(1, self.rank + 1)))
        return y

    def _geometry(self):
        """(strides, dilation) as 2-D pairs."""
        if self.rank == 1:
            return (1,) + self.strides, (1,) + self.dilation_rate
        return self.strides, self.dilation_rate

    def _kernel_2d(self, kernel):
        return ops.expand_dims(kernel, 0) if self.rank == 1 else kernel

    def _convolve(self, x):
        s, d = self._geometry()
        return conv2d_nhwc(x, self._kernel_2d(self.kernel), self.bias, s, self.padding,
                                    d, self.groups, self._workspace)

    def call(self, inputs):
        x = self._to_nhwc(inputs)
        try:
            y = self._convolve(x)
        except ValueError as e:
            raise ValueError(f"Layer \"{self.name}\" cannot process input of shape "
                             f"{tuple(inputs.shape)}: {e}") from None
        if self.activation is not None and self.activation is not activations.linear:
            y = self.activation(y)
        return self._from_nhwc(y)

    def _out_channels(self):
        return self.filters

    def compute_output_shape(self, input_shape):
        spatial, _ = self._spatial(input_shape)
        out = []
        for i, size in enumerate(spatial):
            try:
                n, _, _ = conv_output_padding(
                    size, self.kernel_size[i], self.strides[i], self.dilation_rate[i],
                    self.padding)
            except ValueError as e:
                raise ValueError(f"Layer \"{self.name}\" cannot process input of shape "
                                 f"{tuple(input_shape)}: {e}") from None
            out.append(n)
        return self._assemble(input_shape[0], out, self._out_channels())

    def _base_config(self):
        cfg = super().get_config()
        cfg.update({
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
        })
        return cfg

    def get_config(self):
        cfg = super().get_config()
        cfg.update({
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        })
        return cfg


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
        super().__init__(1, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint,
                         allowed_padding=("valid", "same", "causal"), **kwargs)



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
        super().__init__(2, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)


class Conv2DTranspose(BaseConv):
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
        super().__init__(2, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         1, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)
        self.output_padding = (None if output_padding is None else
                               normalize_tuple(output_padding, 2, "output_padding", True))
        if self.output_padding is not None:
            for p, s in zip(self.output_padding, self.strides):
                if p >= s:
                    raise ValueError(
                        "Strides must be greater than output padding. "
                        f"Received strides={self.strides}, output_padding={self.output_padding}."
                    )

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_size + (self.filters, channels),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
            )
        self._in_channels = channels
        self.built = True

    def _convolve(self, x):
        return conv2d_transpose_nhwc(x, self.kernel, self.bias, self.strides,
                                              self.padding, self.output_padding,
                                              self.dilation_rate, self._workspace)

    def compute_output_shape(self, input_shape):
        spatial, _ = self._spatial(input_shape)
        op = self.output_padding or (None, None)
        out = [conv_transpose_geometry(size, self.kernel_size[i], self.strides[i],
                                                self.dilation_rate[i], self.padding, op[i])[0]
               for i, size in enumerate(spatial)]
        return self._assemble(input_shape[0], out, self.filters)

    def get_config(self):
        cfg = super().get_config()
        cfg.pop("groups")
        out = {}
        for k, v in cfg.items():
            out[k] = v
            if k == "padding":
                out["output_padding"] = self.output_padding
        return out


class DepthwiseConv2D(BaseConv):
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
        super().__init__(2, None, kernel_size, strides, padding, data_format, dilation_rate,
                         1, activation, use_bias, depthwise_initializer, bias_initializer,
                         depthwise_regularizer, bias_regularizer, activity_regularizer,
                         depthwise_constraint, bias_constraint, **kwargs)
        self.depth_multiplier = int(depth_multiplier)
        if self.depth_multiplier <= 0:
            raise ValueError("Invalid value for argument `depth_multiplier`. Expected a strictly "
                             f"positive value. Received depth_multiplier={depth_multiplier}.")

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(channels * self.depth_multiplier,),
                initializer=self.bias_initializer, regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self._in_channels = channels
        self.built = True

    def _convolve(self, x):
        c = self._in_channels
        k = ops.reshape(self.kernel, self.kernel_size + (1, c * self.depth_multiplier))
        return conv2d_nhwc(x, k, self.bias, self.strides, self.padding,
                                    self.dilation_rate, c, self._workspace)

    def compute_output_shape(self, input_shape):
        out = super().compute_output_shape(input_shape)
        c = self._spatial(input_shape)[1]
        return self._assemble(out[0], self._spatial(out)[0],
                              None if c is None else c * self.depth_multiplier)

    def get_config(self):
        base = self._base_config()
        cfg = {"name": base["name"], "trainable": base["trainable"], "dtype": base["dtype"],
               "depth_multiplier": self.depth_multiplier}
        cfg.update({k: v for k, v in base.items() if k not in ("name", "trainable", "dtype")})
        cfg.update({
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "depthwise_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        })
        return cfg


class SeparableConv2D(BaseConv):
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
        super().__init__(2, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         1, activation, use_bias, depthwise_initializer, bias_initializer,
                         depthwise_regularizer, bias_regularizer, activity_regularizer,
                         depthwise_constraint, bias_constraint, **kwargs)
        self.depth_multiplier = int(depth_multiplier)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.pointwise_constraint = constraints.get(pointwise_constraint)
        self._pw_workspace = Workspace()

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        m = self.depth_multiplier
        self.depthwise_kernel = self.add_weight(
            name="depthwise_kernel", shape=self.kernel_size + (channels, m),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel", shape=(1, 1, channels * m, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint,
            )
        self._in_channels = channels
        self.built = True

    def _convolve(self, x):
        c = self._in_channels
        k = ops.reshape(self.depthwise_kernel, self.kernel_size + (1, c * self.depth_multiplier))
        h = conv2d_nhwc(x, k, None, self.strides, self.padding, self.dilation_rate, c,
                                 self._workspace)
        return conv2d_nhwc(h, self.pointwise_kernel, self.bias, (1, 1), "valid", (1, 1),
                                    1, self._pw_workspace)

    def get_config(self):
        base = self._base_config()
        cfg = {"name": base["name"], "trainable": base["trainable"], "dtype": base["dtype"],
               "depth_multiplier": self.depth_multiplier, "filters": self.filters}
        cfg.update({k: v for k, v in base.items() if k not in ("name", "trainable", "dtype")})
        cfg.update({
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.kernel_initializer),
            "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": regularizers.serialize(self.kernel_regularizer),
            "pointwise_regularizer": regularizers.serialize(self.pointwise_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "depthwise_constraint": constraints.serialize(self.kernel_constraint),
            "pointwise_constraint": constraints.serialize(self.pointwise_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        })
        return cfg
