"""`SimpleRNN`: a fully connected recurrent layer."""

from nbkeras.layers.rnn.builtin_rnn import BuiltinRNN
from nbkeras.layers.rnn.simple_rnn_cell import SimpleRNNCell


class SimpleRNN(BuiltinRNN):
    """Fully connected RNN: `h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)`.

    Args:
        units: the size of the state and output.
        activation: any activation; 'tanh' (default), 'relu', 'sigmoid', 'hard_sigmoid'
            and None run on the fused kernels, others step by step.
        return_sequences: output every step (batch, time, units), else the last (batch, units).
        return_state: also return the final state.
        go_backwards: process the sequence in reverse.
        stateful: carry the final state of a batch into the next call.
        dropout / recurrent_dropout: drop rates of the input and of the state (training only).
        Other arguments: those of `SimpleRNNCell`.

    Example:
        >>> nbkeras.layers.SimpleRNN(4)(np.zeros((2, 5, 3))).shape
        (2, 4)
    """

    _cell_class = SimpleRNNCell
    _cell_name = "simple_rnn_cell"

    def get_config(self):
        cfg = super().get_config()
        del cfg["seed"]  # Keras keeps SimpleRNN's seed on the cell's config only
        return cfg
