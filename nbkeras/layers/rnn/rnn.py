"""`SimpleRNN`, `LSTM` and `GRU` on the fused recurrent op (`nbkeras.ops.rnn`)."""

import numpy as np

from nbkeras import activations, constraints, initializers, ops, regularizers
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer
from nbkeras.ops import rnn as rnn_ops
from nbkeras.ops.core import unwrap


def _act_name(fn, arg):
    name = activations.serialize(fn) if fn is not None else "linear"
    if fn is None:
        return "linear", None
    if not isinstance(name, str) or name not in rnn_ops.ACTIVATIONS:
        raise ValueError(
            f"nbkeras's recurrent kernels support the activations "
            f"{sorted(rnn_ops.ACTIVATIONS)}. Received: {arg}={name!r}"
        )
    return name, fn


class _Cell(Layer):
    """Holds a recurrent layer's weights (Keras keeps them on `layer.cell`); the layer runs
    the fused op over the whole sequence."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.built = True


class SimpleRNNCell(_Cell):
    pass


class LSTMCell(_Cell):
    pass


class GRUCell(_Cell):
    pass


_CELLS = {"simple": SimpleRNNCell, "lstm": LSTMCell, "gru": GRUCell}


class _RNN(Layer):
    """Shared machinery of SimpleRNN, LSTM and GRU (weights live on the layer)."""

    _kind = None
    _gates = 1

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, zero_output_for_mask=False,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(
                "Received an invalid value for argument `units`, expected a positive integer, "
                f"got {units}."
            )
        self.units = int(units)
        self.activation = activations.get(activation)
        self._act = _act_name(self.activation, "activation")[0]
        self.recurrent_activation = activations.get(recurrent_activation)
        self._ract = _act_name(self.recurrent_activation, "recurrent_activation")[0]
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        for arg, v in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not isinstance(v, (int, float)) or not 0 <= v <= 1:
                raise ValueError(f"Invalid value received for argument `{arg}`. Expected a "
                                 f"float value between 0 and 1. Received: {arg}={v!r}")
        self.dropout = float(dropout)
        self.recurrent_dropout = float(recurrent_dropout)
        self.seed = seed
        self._rng = np.random.default_rng(seed)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.input_spec = InputSpec(ndim=3)
        self.states = None
        self.cell = _CELLS[self._kind](self.units, dtype=self.dtype, trainable=self.trainable,
                                       name={"simple": "simple_rnn_cell"}.get(self._kind, self._kind + "_cell"))

    @property
    def state_size(self):
        return [self.units, self.units] if self._kind == "lstm" else [self.units]

    def _bias_shape(self):
        return (self._gates * self.units,)

    def build(self, input_shape):
        d, g = input_shape[-1], self._gates * self.units
        self.kernel = self.cell.add_weight(name="kernel", shape=(d, g), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.cell.add_weight(
            name="recurrent_kernel", shape=(self.units, g), initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.cell.add_weight(name="bias", shape=self._bias_shape(),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        for v in self.cell.weights:
            v.path = f"{self.name}/{self.cell.name}/{v.name}"
        if self.stateful:
            if input_shape[0] is None:
                raise ValueError(
                    "When using `stateful=True` in a RNN, the batch size must be static. "
                    f"Found dynamic batch size: sequence.shape={tuple(input_shape)}")
            self._make_states(input_shape[0])
        self.built = True

    def _make_states(self, batch):
        self.states = [np.zeros((batch, s), self.dtype) for s in self.state_size]

    def reset_state(self):
        """Zero the states of a stateful layer."""
        if self.states is not None:
            for s in self.states:
                s[...] = 0

    reset_states = reset_state

    def get_initial_state(self, batch_size):
        return [np.zeros((batch_size, s), self.dtype) for s in self.state_size]

    def _dropout_masks(self, n, d, training):
        im = rm = None
        if not training:
            return im, rm
        count = self._gates if self.recurrent_dropout and self._kind != "simple" else None

        def draw(shape, rate):
            keep = (self._rng.random(shape) >= rate).astype(self.dtype)
            return keep / np.asarray(1.0 - rate, self.dtype)

        if 0 < self.dropout < 1:
            im = draw((n, d), self.dropout) if count is None else [draw((n, d), self.dropout)
                                                                   for _ in range(count)]
        if 0 < self.recurrent_dropout < 1:
            rm = [draw((n, self.units), self.recurrent_dropout) for _ in range(count or 1)]
        return im, rm

    def call(self, sequences, initial_state=None, mask=None, training=False):
        n, t, d = sequences.shape
        if initial_state is None:
            if self.stateful:
                if self.states is None or self.states[0].shape[0] != n:
                    if self.states is not None:
                        raise ValueError(
                            "If an RNN is stateful, the batch size of the input sequences must "
                            "be the same as the batch size of the initial state. \n"
                            f"- Expected batch size: {self.states[0].shape[0]}\n"
                            f"- Received batch size: {n}")
                    self._make_states(n)
                initial_state = list(self.states)
            else:
                initial_state = self.get_initial_state(n)
        if not isinstance(initial_state, (list, tuple)):
            initial_state = [initial_state]
        if len(initial_state) != len(self.state_size):
            raise ValueError(
                f"Layer {self.name} expects {len(self.state_size)} initial state(s) but "
                f"received {len(initial_state)}.")
        initial_state = [s if isinstance(s, ops.Tensor) else np.asarray(s, self.dtype)
                         for s in initial_state]
        if mask is not None:
            mask = np.asarray(unwrap(mask)).astype(bool)
            if mask.ndim == 3:
                mask = mask[..., 0]
        im, rm = self._dropout_masks(n, d, training)
        output, states = rnn_ops.rnn(
            self._kind, sequences, self.kernel, self.recurrent_kernel, self.bias, initial_state,
            mask=mask, go_backwards=self.go_backwards, activation=self._act,
            recurrent_activation=self._ract, reset_after=getattr(self, "reset_after", True),
            input_masks=im, recurrent_masks=rm, zero_output_for_mask=self.zero_output_for_mask,
            return_sequences=self.return_sequences)
        if self.stateful:
            for var, s in zip(self.states, states):
                var[...] = unwrap(s)
        if self.return_state:
            return [output, *states]
        return output

    def compute_mask(self, inputs, previous_mask):
        if isinstance(previous_mask, list):
            previous_mask = previous_mask[0]
        out = previous_mask if self.return_sequences else None
        if self.return_state:
            return [out] + [None] * len(self.state_size)
        return out

    def compute_output_shape(self, input_shape):
        n, t = input_shape[0], input_shape[1]
        out = (n, t, self.units) if self.return_sequences else (n, self.units)
        if self.return_state:
            return [out] + [(n, self.units) for _ in self.state_size]
        return out

    def get_config(self):
        cfg = super().get_config()
        cfg.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
        })
        if self._kind == "simple":
            del cfg["seed"]
        else:
            cfg["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        return cfg


class SimpleRNN(_RNN):
    """Fully connected RNN: `h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)`.

    Args:
        units: the size of the state and output.
        activation: 'tanh' (default), 'relu', 'sigmoid', 'hard_sigmoid' or None.
        return_sequences: output every step (batch, time, units), else the last (batch, units).
        return_state: also return the final state.
        go_backwards: process the sequence in reverse.
        stateful: carry the final state of a batch into the next call.
        dropout / recurrent_dropout: drop rates of the input and of the state (training only).

    Example:
        >>> nbkeras.layers.SimpleRNN(4)(np.zeros((2, 5, 3))).shape
        (2, 4)
    """

    _kind = "simple"
    _gates = 1

    def __init__(self, units, activation="tanh", **kwargs):
        kwargs.pop("recurrent_activation", None)
        super().__init__(units, activation=activation, **kwargs)


class LSTM(_RNN):
    """Long short-term memory (Hochreiter 1997), with Keras 3's gate order i, f, c, o.

    Args:
        units: the size of the state and output.
        activation: of the cell candidate and output ('tanh').
        recurrent_activation: of the gates ('sigmoid').
        unit_forget_bias: initialize the forget gate's bias to one.
        return_sequences / return_state / go_backwards / stateful / dropout /
            recurrent_dropout: as in `SimpleRNN`.

    Example:
        >>> h, state_h, state_c = nbkeras.layers.LSTM(8, return_state=True)(np.zeros((2, 5, 3)))
    """

    _kind = "lstm"
    _gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 unit_forget_bias=True, use_cudnn="auto", **kwargs):
        super().__init__(units, activation=activation,
                         recurrent_activation=recurrent_activation, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.use_cudnn = use_cudnn

    def build(self, input_shape):
        super().build(input_shape)
        if self.use_bias and self.unit_forget_bias:
            u = self.units
            init = self.bias_initializer
            self.bias.assign(np.concatenate([
                np.asarray(init((u,), self.dtype)), np.ones(u, self.dtype),
                np.asarray(init((2 * u,), self.dtype))]).astype(self.dtype))

    def get_config(self):
        cfg = super().get_config()
        cfg["unit_forget_bias"] = self.unit_forget_bias
        return cfg


class GRU(_RNN):
    """Gated recurrent unit (Cho 2014), with Keras 3's gate order z, r, h.

    Args:
        units: the size of the state and output.
        reset_after: apply the reset gate after the recurrent matrix product (Keras 3's
            default, bias of shape (2, 3 * units)) or before it.
        Other arguments: as in `LSTM`.

    Example:
        >>> nbkeras.layers.GRU(8, return_sequences=True)(np.zeros((2, 5, 3))).shape
        (2, 5, 8)
    """

    _kind = "gru"
    _gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 reset_after=True, use_cudnn="auto", **kwargs):
        super().__init__(units, activation=activation,
                         recurrent_activation=recurrent_activation, **kwargs)
        self.reset_after = bool(reset_after)
        self.use_cudnn = use_cudnn

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def get_config(self):
        cfg = super().get_config()
        cfg["reset_after"] = self.reset_after
        return cfg
