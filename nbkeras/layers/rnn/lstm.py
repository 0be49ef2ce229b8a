"""`LSTM`: long short-term memory."""

from nbkeras.layers.rnn.builtin_rnn import BuiltinRNN
from nbkeras.layers.rnn.lstm_cell import LSTMCell


class LSTM(BuiltinRNN):
    """Long short-term memory (Hochreiter 1997), with Keras 3's gate order i, f, c, o.

    Args:
        units: the size of the state and output.
        activation: of the cell candidate and output ('tanh').
        recurrent_activation: of the gates ('sigmoid').
        unit_forget_bias: initialize the forget gate's bias to one.
        return_sequences / return_state / go_backwards / stateful / dropout /
            recurrent_dropout: as in `SimpleRNN`.
        Other arguments: those of `LSTMCell`.

    Example:
        >>> h, state_h, state_c = nbkeras.layers.LSTM(8, return_state=True)(np.zeros((2, 5, 3)))
    """

    _cell_class = LSTMCell
    _cell_name = "lstm_cell"
