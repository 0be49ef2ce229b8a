"""`SimpleRNNCell`: one step of a fully connected RNN."""

from nbkeras import ops
from nbkeras.layers.rnn.cell_base import RNNCellBase


class SimpleRNNCell(RNNCellBase):
    """One step of `SimpleRNN`: `h = activation(x @ kernel + h_prev @ recurrent_kernel + bias)`.

    Args:
        units: the size of the state and output.
        activation: any activation ('tanh').
        use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
        kernel_regularizer, recurrent_regularizer, bias_regularizer, kernel_constraint,
        recurrent_constraint, bias_constraint: as in `Dense`, for both matrices.
        dropout / recurrent_dropout: drop rates of the input and of the state (training).
        seed: seed of the dropout masks.

    Example:
        >>> cell = nbkeras.layers.SimpleRNNCell(4)
        >>> y = nbkeras.layers.RNN(cell)(np.zeros((2, 5, 3)))
    """

    _kind = "simple"

    def __init__(self, units, activation="tanh", **kwargs):
        kwargs.pop("recurrent_activation", None)
        super().__init__(units, activation=activation, **kwargs)

    def call(self, sequence, states, training=False):
        nested = isinstance(states, (list, tuple))
        h_tm1 = states[0] if nested else states
        x, h_tm1 = self._masked(sequence, h_tm1, training)
        h = ops.matmul(x, self.kernel)
        if self.bias is not None:
            h = ops.add(h, self.bias)
        output = ops.add(h, ops.matmul(h_tm1, self.recurrent_kernel))
        if self.activation is not None:
            output = self.activation(output)
        return output, ([output] if nested else output)

    def get_config(self):
        cfg = super().get_config()
        del cfg["recurrent_activation"]
        return cfg
