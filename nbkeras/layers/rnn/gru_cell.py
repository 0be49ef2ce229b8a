"""`GRUCell`: one step of a gated recurrent unit."""

from nbkeras import ops
from nbkeras.layers.rnn.cell_base import RNNCellBase


class GRUCell(RNNCellBase):
    """One step of `GRU`, gates in Keras's order z, r, h.

    Args:
        units: the size of the state and output.
        reset_after: apply the reset gate after the recurrent matrix product (Keras 3's
            default; the bias is then (2, 3 * units): input and recurrent biases).
        Other arguments: as in `LSTMCell`.

    Example:
        >>> y = nbkeras.layers.RNN(nbkeras.layers.GRUCell(4))(np.zeros((2, 5, 3)))
    """

    _kind = "gru"
    _gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 reset_after=True, **kwargs):
        super().__init__(units, activation=activation, recurrent_activation=recurrent_activation,
                         **kwargs)
        self.reset_after = bool(reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def call(self, inputs, states, training=False):
        nested = isinstance(states, (list, tuple))
        h_tm1 = states[0] if nested else states
        x, h_r = self._masked(inputs, h_tm1, training)
        u = self.units
        mx = ops.matmul(x, self.kernel)
        if self.bias is not None:
            mx = ops.add(mx, self.bias[0] if self.reset_after else self.bias)
        if self.reset_after:
            inner = ops.matmul(h_r, self.recurrent_kernel)
            if self.bias is not None:
                inner = ops.add(inner, self.bias[1])
        else:
            inner = ops.matmul(h_r, self.recurrent_kernel[:, :2 * u])
        z = self.recurrent_activation(ops.add(mx[:, :u], inner[:, :u]))
        r = self.recurrent_activation(ops.add(mx[:, u:2 * u], inner[:, u:2 * u]))
        if self.reset_after:
            rec_h = ops.multiply(r, inner[:, 2 * u:])
        else:
            rec_h = ops.matmul(ops.multiply(r, h_r), self.recurrent_kernel[:, 2 * u:])
        hh = self.activation(ops.add(mx[:, 2 * u:], rec_h))
        h = ops.add(ops.multiply(z, h_tm1), ops.multiply(ops.subtract(1.0, z), hh))
        return h, ([h] if nested else h)

    def get_config(self):
        cfg = super().get_config()
        cfg["reset_after"] = self.reset_after
        return cfg
