"""`ConvLSTMCell` and ConvLSTM1D/2D/3D: LSTMs whose matrix products are convolutions.

Without input dropout, the input convolution of every time step runs as one
convolution over all steps at once (batch and time merged); each step then adds the
recurrent convolution ('same' padding, stride 1) of the previous output. Gates are in
Keras's order i, f, c, o along the last axis of the kernels; the weights live on
`layer.cell` (`conv_lstm2d/conv_lstm_cell/kernel`), as in Keras.
"""

import numpy as np

from nbkeras import ops, regularizers
from nbkeras.layers.convolutional.base_conv import (
    normalize_data_format, normalize_padding, normalize_tuple,
)
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.rnn.lstm_cell import LSTMCell
from nbkeras.layers.rnn.builtin_rnn import BuiltinRNN
from nbkeras.layers.rnn.rnn import RNN
from nbkeras.ops.conv import Workspace, conv_channels_last, conv_output_padding
from nbkeras.ops.core import unwrap


class ConvLSTMCell(LSTMCell):
    """One step of a ConvLSTM: `(batch, *spatial, channels)` input, states `[h, c]`.

    Args:
        rank: the number of spatial axes (1, 2 or 3).
        filters: the number of output channels (of h and c).
        kernel_size, strides, padding, data_format, dilation_rate: of the input
            convolution, as in `Conv2D` (the recurrent one is 'same', stride 1).
        activation, recurrent_activation, use_bias, unit_forget_bias, *_initializer,
            *_regularizer, *_constraint, dropout, recurrent_dropout, seed: as in `LSTMCell`.

    Example:
        >>> cell = nbkeras.layers.rnn.conv_lstm.ConvLSTMCell(2, 4, 3, padding="same")
        >>> h0 = np.zeros((1, 5, 5, 4), "float32")
        >>> cell(np.zeros((1, 5, 5, 2), "float32"), [h0, h0])[0].shape
        (1, 5, 5, 4)
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, **kwargs):
        super().__init__(filters, **kwargs)
        self.rank = int(rank)
        self.filters = self.units
        self.kernel_size = normalize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = normalize_tuple(strides, self.rank, "strides")
        self.padding = normalize_padding(padding)
        self.data_format = normalize_data_format(data_format)
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                "Specifying `strides > 1` is not compatible with `dilation_rate > 1`. "
                "Please provide `strides=1` or `dilation_rate=1`. "
                f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}")
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self._workspaces = (Workspace(), Workspace())

    @property
    def state_size(self):
        return [self.filters, self.filters]

    def build(self, input_shape):
        axis = -1 if self.data_format == "channels_last" else 1
        spatial = (tuple(input_shape[1:-1]) if axis == -1 else tuple(input_shape[2:]))
        if None in spatial:
            raise ValueError(
                "ConvLSTM layers only support static input shapes for the spatial dimension. "
                f"Received invalid input shape: input_shape={tuple(input_shape)}")
        if input_shape[axis] is None:
            raise ValueError(
                "The channel dimension of the inputs (last axis) should be defined. Found "
                f"None. Full input shape received: input_shape={tuple(input_shape)}")
        self.spatial_dims = spatial
        self.input_dim = int(input_shape[axis])
        g = 4 * self.filters
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_size + (self.input_dim, g),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel", shape=self.kernel_size + (self.filters, g),
            initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=(g,), initializer=self._bias_initial_value,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def state_shape(self, spatial=None):
        """The shape of h and c without the batch axis, in the layer's data_format, for
        inputs of `spatial` size (the built input's when None)."""
        spatial = self.spatial_dims if spatial is None else spatial
        out = tuple(conv_output_padding(size, k, s, d, self.padding)[0] for size, k, s, d in
                    zip(spatial, self.kernel_size, self.strides, self.dilation_rate))
        if self.data_format == "channels_last":
            return out + (self.filters,)
        return (self.filters,) + out

    def get_initial_state(self, batch_size=None):
        """Zero h and c of shape (batch_size, *state_shape())."""
        shape = (batch_size,) + self.state_shape()
        return [np.zeros(shape, self.dtype), np.zeros(shape, self.dtype)]

    # ------------------------------------------------------- channels_last core
    def _conv(self, x, kernel, bias, strides, padding, dilation, workspace):
        """A convolution of channels_last `x` (1-D inputs run with a unit height axis)."""
        if self.rank == 1:
            y = conv_channels_last(ops.expand_dims(x, 1), ops.expand_dims(kernel, 0), bias,
                                   (1,) + strides, padding, (1,) + dilation, 1, workspace)
            return ops.squeeze(y, 1)
        return conv_channels_last(x, kernel, bias, strides, padding, dilation, 1, workspace)

    def _gates(self, w, i):
        """Gate i's slice (i, f, c, o) of a kernel or bias's last axis."""
        f_ = self.filters
        return w[..., i * f_:(i + 1) * f_]

    def _gate_masks(self, attr, x, rate):
        """Four dropout masks (one per gate), drawn once per sequence."""
        if getattr(self, attr) is None:
            setattr(self, attr, [self._draw(np.shape(unwrap(x)), rate) for _ in range(4)])
        return getattr(self, attr)

    def input_conv(self, x, training=False):
        """The input convolution (with bias) of channels_last `x`, whose batch may merge
        several time steps; per-gate dropout masks while training with `dropout`."""
        if not (training and 0 < self.dropout < 1):
            return self._conv(x, self.kernel, self.bias, self.strides, self.padding,
                              self.dilation_rate, self._workspaces[0])
        masks = self._gate_masks("_dropout_mask", x, self.dropout)
        return ops.concatenate([
            self._conv(x * m, self._gates(self.kernel, i),
                       None if self.bias is None else self._gates(self.bias, i),
                       self.strides, self.padding, self.dilation_rate, None)
            for i, m in enumerate(masks)], axis=-1)

    def recurrent_conv(self, h, training=False):
        """The recurrent convolution ('same', stride 1) of channels_last `h`."""
        one = (1,) * self.rank
        if not (training and 0 < self.recurrent_dropout < 1):
            return self._conv(h, self.recurrent_kernel, None, one, "same", one,
                              self._workspaces[1])
        masks = self._gate_masks("_recurrent_dropout_mask", h, self.recurrent_dropout)
        return ops.concatenate([
            self._conv(h * m, self._gates(self.recurrent_kernel, i), None, one, "same", one,
                       None) for i, m in enumerate(masks)], axis=-1)

    def step(self, xz, h_tm1, c_tm1, training=False):
        """New (h, c) from this step's input convolution `xz` and the previous states
        (all channels_last)."""
        z = xz + self.recurrent_conv(h_tm1, training)
        i = self.recurrent_activation(self._gates(z, 0))
        f = self.recurrent_activation(self._gates(z, 1))
        c = f * c_tm1 + i * self.activation(self._gates(z, 2))
        o = self.recurrent_activation(self._gates(z, 3))
        h = o * self.activation(c)
        return h, c

    def to_last(self, x):
        """channels_first -> channels_last (identity for channels_last)."""
        if self.data_format == "channels_last":
            return x
        n = np.ndim(unwrap(x))
        return ops.transpose(x, (0,) + tuple(range(2, n)) + (1,))

    def to_outer(self, x):
        """channels_last -> the layer's data_format."""
        if self.data_format == "channels_last":
            return x
        n = np.ndim(unwrap(x))
        return ops.transpose(x, (0, n - 1) + tuple(range(1, n - 1)))

    def call(self, inputs, states, training=False):
        x = self.to_last(inputs)
        h, c = self.step(self.input_conv(x, training), self.to_last(states[0]),
                         self.to_last(states[1]), training)
        h, c = self.to_outer(h), self.to_outer(c)
        return h, [h, c]

    def get_config(self):
        cfg = super().get_config()
        del cfg["units"]
        out = {k: cfg.pop(k) for k in ("name", "trainable", "dtype") if k in cfg}
        out.update({"rank": self.rank, "filters": self.filters, "kernel_size": self.kernel_size,
                    "strides": self.strides, "padding": self.padding,
                    "data_format": self.data_format, "dilation_rate": self.dilation_rate})
        out.update(cfg)
        return out


_CELL_ARGS = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
              "activation", "recurrent_activation", "use_bias", "kernel_initializer",
              "recurrent_initializer", "bias_initializer", "unit_forget_bias",
              "kernel_regularizer", "recurrent_regularizer", "bias_regularizer")
_CELL_ARGS_2 = ("kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
                "recurrent_dropout", "seed")


class ConvLSTM(RNN):
    """Shared code of ConvLSTM1D/2D/3D: an `RNN` over a `ConvLSTMCell` (not a public class)."""

    __getattr__ = BuiltinRNN.__getattr__

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, **kwargs):
        cell = ConvLSTMCell(
            rank, filters, kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, activation=activation,
            recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed,
            name="conv_lstm_cell", dtype=kwargs.get("dtype"))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.rank = int(rank)
        self.input_spec = InputSpec(ndim=self.rank + 3)

    def _initial_state(self, n, initial_state):
        if initial_state is None:
            return super()._initial_state(n, None)
        initial_state = [s if isinstance(s, ops.Tensor) else np.asarray(s, self.dtype)
                         for s in (list(initial_state) if isinstance(initial_state, (list, tuple))
                                   else [initial_state])]
        want = (n,) + self.cell.state_shape()
        if len(initial_state) != 2:
            raise ValueError(f"Layer {self.name} expects 2 initial state(s) but received "
                             f"{len(initial_state)}.")
        for i, s in enumerate(initial_state):
            if tuple(np.shape(unwrap(s))) != want:
                raise ValueError(
                    f"Layer {self.name}: each initial state must have shape {want}. "
                    f"Received: initial_state[{i}].shape={tuple(np.shape(unwrap(s)))}")
        return initial_state

    def _run_steps(self, sequences, states, mask, training):
        cell = self.cell
        shape = tuple(sequences.shape)
        n, t = shape[0], shape[1]
        per_step = training and 0 < cell.dropout < 1  # one input mask for every step
        if per_step:
            xz = [cell.input_conv(cell.to_last(sequences[:, k]), training) for k in range(t)]
        else:
            flat = cell.to_last(ops.reshape(sequences, (n * t,) + shape[2:]))
            z = cell.input_conv(flat)
            z = ops.reshape(z, (n, t) + tuple(z.shape[1:]))
        h, c = cell.to_last(states[0]), cell.to_last(states[1])
        steps = range(t)
        outputs = []
        for k in (reversed(steps) if self.go_backwards else steps):
            h_new, c_new = cell.step(xz[k] if per_step else z[:, k], h, c, training)
            if mask is not None:
                keep = mask[:, k].reshape((n,) + (1,) * (h.ndim - 1))
                out = ops.where(keep, h_new, np.zeros((), self.dtype)
                                if self.zero_output_for_mask else h)
                h, c = ops.where(keep, h_new, h), ops.where(keep, c_new, c)
            else:
                out, h, c = h_new, h_new, c_new
            outputs.append(out)
        if self.return_sequences:
            output = ops.stack(outputs, axis=1)
            if cell.data_format == "channels_first":
                nd = output.ndim
                output = ops.transpose(output, (0, 1, nd - 1) + tuple(range(2, nd - 1)))
        else:
            output = cell.to_outer(outputs[-1])
        return output, [cell.to_outer(h), cell.to_outer(c)]

    def compute_output_shape(self, input_shape):
        n, t = input_shape[0], input_shape[1]
        step = tuple(input_shape[2:])
        spatial = step[:-1] if self.cell.data_format == "channels_last" else step[1:]
        state = self.cell.state_shape(spatial)
        out = (n, t) + state if self.return_sequences else (n,) + state
        if self.return_state:
            return [out, (n,) + state, (n,) + state]
        return out

    def get_config(self):
        cell_cfg = self.cell.get_config()
        cfg = RNN.get_config(self)
        del cfg["cell"]
        flat = {k: cell_cfg[k] for k in _CELL_ARGS}
        flat["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        flat.update({k: cell_cfg[k] for k in _CELL_ARGS_2})
        cfg.pop("activity_regularizer", None)
        return {**cfg, **flat}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)


class ConvLSTM1D(ConvLSTM):
    """A convolutional LSTM over sequences of 1-D signals (batch, time, steps, channels).

    Args:
        filters: the number of output channels.
        kernel_size, strides, padding, data_format, dilation_rate: of the input
            convolution, as in `Conv1D` (the recurrent convolution is 'same', stride 1).
        activation, recurrent_activation, use_bias, unit_forget_bias, *_initializer,
            *_regularizer, *_constraint, dropout, recurrent_dropout, seed: as in `LSTM`.
        return_sequences, return_state, go_backwards, stateful: as in `LSTM`.

    Example:
        >>> nbkeras.layers.ConvLSTM1D(4, 3)(np.zeros((2, 5, 8, 3))).shape
        (2, 6, 4)
    """

    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(1, filters, kernel_size, **kwargs)


class ConvLSTM2D(ConvLSTM):
    """A convolutional LSTM over sequences of images (batch, time, rows, cols, channels).

    Args:
        filters: the number of output channels.
        kernel_size, strides, padding, data_format, dilation_rate: of the input
            convolution, as in `Conv2D` (the recurrent convolution is 'same', stride 1).
        activation, recurrent_activation, use_bias, unit_forget_bias, *_initializer,
            *_regularizer, *_constraint, dropout, recurrent_dropout, seed: as in `LSTM`.
        return_sequences, return_state, go_backwards, stateful: as in `LSTM`.

    Example:
        >>> nbkeras.layers.ConvLSTM2D(4, 3, padding="same")(np.zeros((2, 5, 8, 8, 1))).shape
        (2, 8, 8, 4)
    """

    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(2, filters, kernel_size, **kwargs)


class ConvLSTM3D(ConvLSTM):
    """A convolutional LSTM over sequences of volumes (batch, time, d, h, w, channels).

    Args:
        filters: the number of output channels.
        kernel_size, strides, padding, data_format, dilation_rate: of the input
            convolution, as in `Conv3D` (the recurrent convolution is 'same', stride 1).
        Other arguments: as in `ConvLSTM2D`.

    Example:
        >>> nbkeras.layers.ConvLSTM3D(2, 3, padding="same")(np.zeros((1, 3, 4, 4, 4, 1))).shape
        (1, 4, 4, 4, 2)
    """

    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(3, filters, kernel_size, **kwargs)
