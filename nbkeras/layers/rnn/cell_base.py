"""What SimpleRNNCell, LSTMCell and GRUCell share: arguments, weights, dropout masks, config."""

import numpy as np

from nbkeras import activations, constraints, initializers, regularizers
from nbkeras.layers.layer import Layer
from nbkeras.layers.regularization.dropout import check_rate
from nbkeras.utils.rng_utils import LazyGenerator


def check_units(units):
    """Keras's check of `units`: a positive integer."""
    if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
        raise ValueError(
            "Received an invalid value for argument `units`, expected a positive integer, "
            f"got {units}.")
    return int(units)


class RNNCellBase(Layer):
    """Base of the built-in cells: one step of a recurrent layer, from `ops`.

    A cell's `call(inputs, states, training=False)` maps one time step `(batch, features)`
    and the previous states to `(output, new_states)`. `RNN` runs it over a sequence; for
    the built-in cells it runs the fused Numba kernels instead (same numbers).

    Dropout masks are drawn once per sequence (as Keras's `DropoutRNNCell` does): `RNN`
    calls `reset_dropout_mask()` before each sequence.
    """

    _gates = 1
    _kind = None

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.units = check_units(units)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = check_rate(dropout, "dropout")
        self.recurrent_dropout = check_rate(recurrent_dropout, "recurrent_dropout")
        self.seed = seed
        self._rng = LazyGenerator(seed)
        self.bias = None
        self._dropout_mask = self._recurrent_dropout_mask = None

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units

    def _bias_shape(self):
        return (self._gates * self.units,)

    def _bias_initial_value(self, shape, dtype):
        return self.bias_initializer(shape, dtype)

    def build(self, input_shape):
        g = self._gates * self.units
        self.kernel = self.add_weight(
            name="kernel", shape=(input_shape[-1], g), initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel", shape=(self.units, g), initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias", shape=self._bias_shape(), initializer=self._bias_initial_value,
                regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def get_initial_state(self, batch_size=None):
        """Zero states, one `(batch_size, units)` array per state."""
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else [self.state_size]
        return [np.zeros((batch_size, s), self.dtype) for s in sizes]

    # ------------------------------------------------------------------ dropout
    def reset_dropout_mask(self):
        """Forget the input dropout mask; the next sequence draws a new one."""
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        """Forget the state dropout mask; the next sequence draws a new one."""
        self._recurrent_dropout_mask = None

    def _draw(self, shape, rate):
        keep = (self._rng.random(shape) >= rate).astype(self.dtype)
        return keep / np.asarray(1.0 - rate, self.dtype)

    def get_dropout_mask(self, step_input):
        """The input mask of this sequence (drawn on its first step)."""
        if self._dropout_mask is None and self.dropout > 0:
            self._dropout_mask = self._draw(np.shape(step_input), self.dropout)
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, step_state):
        """The state mask of this sequence (drawn on its first step)."""
        if self._recurrent_dropout_mask is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._draw(np.shape(step_state), self.recurrent_dropout)
        return self._recurrent_dropout_mask

    def _masked(self, inputs, h_tm1, training):
        """Apply this sequence's dropout masks while training."""
        if training and 0 < self.dropout < 1:
            inputs = inputs * self.get_dropout_mask(inputs)
        if training and 0 < self.recurrent_dropout < 1:
            h_tm1 = h_tm1 * self.get_recurrent_dropout_mask(h_tm1)
        return inputs, h_tm1

    # ------------------------------------------------------------------- config
    def get_config(self):
        cfg = {
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
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
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }
        return {**super().get_config(), **cfg}
