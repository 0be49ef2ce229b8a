"""Recurrent layers over cells, built the same way on Keras (tools/goldens_rnn.py) and on
nbkeras (tests/test_parity_rnn.py): `CELL_CASES[id](k)` returns the layer; every case runs
on input (3, 5, 4); `MASKED` cases get the golden mask, `WITH_STATE` ones initial states."""

from saving_models import minimal_rnn_cell_class

U = 3


def _rnn(cell_fn, **kwargs):
    return lambda k: k.layers.RNN(cell_fn(k), **kwargs)


CELL_CASES = {
    # fused kernels (built-in cells, kernel-supported activations)
    "rnn_lstmcell_seq_state": _rnn(lambda k: k.layers.LSTMCell(U), return_sequences=True,
                                   return_state=True),
    "rnn_grucell_before_back": _rnn(lambda k: k.layers.GRUCell(U, reset_after=False),
                                    go_backwards=True, return_sequences=True),
    # step by step: stacks, custom cells, other activations
    "rnn_stacked_mask_state": _rnn(lambda k: [k.layers.LSTMCell(U), k.layers.GRUCell(2)],
                                   return_sequences=True, return_state=True),
    "rnn_stacked_cells_back": _rnn(lambda k: k.layers.StackedRNNCells(
        [k.layers.SimpleRNNCell(U, activation="relu"), k.layers.LSTMCell(2)]), go_backwards=True),
    "rnn_minimal_mask_zero_output": _rnn(lambda k: minimal_rnn_cell_class(k)(U),
                                         return_sequences=True, zero_output_for_mask=True),
    "rnn_minimal_mask_last": _rnn(lambda k: minimal_rnn_cell_class(k)(U)),
    "lstm_softsign_mask_seq": lambda k: k.layers.LSTM(U, activation="softsign",
                                                      return_sequences=True),
    "gru_gelu_hardsilu_state": lambda k: k.layers.GRU(U, activation="gelu",
                                                      recurrent_activation="hard_silu",
                                                      return_state=True),
    "gru_before_elu_back_seq": lambda k: k.layers.GRU(U, activation="elu", reset_after=False,
                                                      go_backwards=True, return_sequences=True),
    "simple_selu_nobias": lambda k: k.layers.SimpleRNN(U, activation="selu", use_bias=False),
}
MASKED = {"rnn_stacked_mask_state", "rnn_minimal_mask_zero_output", "rnn_minimal_mask_last",
          "lstm_softsign_mask_seq"}
WITH_STATE = {"gru_gelu_hardsilu_state", "rnn_lstmcell_seq_state"}


def cell_training_model(k):
    """A model whose recurrent layers all run step by step (trained 3 steps in the goldens)."""
    return k.Sequential([
        k.Input((5, 4)),
        k.layers.RNN(minimal_rnn_cell_class(k)(U), return_sequences=True),
        k.layers.LSTM(U, activation="softsign"),
        k.layers.Dense(1),
    ])
