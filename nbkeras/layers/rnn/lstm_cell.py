"""`LSTMCell`: one step of a long short-term memory layer."""

import numpy as np

from nbkeras import ops
from nbkeras.layers.rnn.cell_base import RNNCellBase


class LSTMCell(RNNCellBase):
    """One step of `LSTM`, gates in Keras's order i, f, c, o; states `[h, c]`.

    Args:
        units: the size of the states and output.
        activation: of the candidate and the output ('tanh').
        recurrent_activation: of the gates ('sigmoid').
        unit_forget_bias: start the forget gate's bias at one.
        Other arguments: as in `SimpleRNNCell`.

    Example:
        >>> cell = nbkeras.layers.LSTMCell(4)
        >>> h, (h, c) = cell(np.zeros((2, 3)), [np.zeros((2, 4)), np.zeros((2, 4))])
    """

    _kind = "lstm"
    _gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 unit_forget_bias=True, **kwargs):
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation,
                         **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def state_size(self):
        return [self.units, self.units]

    def _bias_initial_value(self, shape, dtype):
        if not self.unit_forget_bias:
            return self.bias_initializer(shape, dtype)
        u = self.units
        init = self.bias_initializer
        return np.concatenate([np.asarray(init((u,), dtype)), np.ones(u, dtype),
                               np.asarray(init((2 * u,), dtype))]).astype(dtype)

    def call(self, inputs, states, training=False):
        h_tm1, c_tm1 = states[0], states[1]
        x, h_r = self._masked(inputs, h_tm1, training)
        z = ops.add(ops.matmul(x, self.kernel), ops.matmul(h_r, self.recurrent_kernel))
        if self.bias is not None:
            z = ops.add(z, self.bias)
        u = self.units
        i = self.recurrent_activation(z[:, :u])
        f = self.recurrent_activation(z[:, u:2 * u])
        c = ops.add(ops.multiply(f, c_tm1), ops.multiply(i, self.activation(z[:, 2 * u:3 * u])))
        o = self.recurrent_activation(z[:, 3 * u:])
        h = ops.multiply(o, self.activation(c))
        return h, [h, c]

    def get_config(self):
        cfg = super().get_config()
        cfg["unit_forget_bias"] = self.unit_forget_bias
        return cfg
