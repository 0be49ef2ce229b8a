"""`GRU`: gated recurrent unit."""

from nbkeras.layers.rnn.builtin_rnn import BuiltinRNN
from nbkeras.layers.rnn.gru_cell import GRUCell


class GRU(BuiltinRNN):
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

    _cell_class = GRUCell
    _cell_name = "gru_cell"
