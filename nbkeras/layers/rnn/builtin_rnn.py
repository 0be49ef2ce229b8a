"""What SimpleRNN, LSTM and GRU share: an `RNN` whose cell is made from the layer's arguments.

The weights live on `layer.cell` (as in Keras: `lstm/lstm_cell/kernel`); the layer
exposes the cell's arguments as its own and writes Keras's flat config.
"""

from nbkeras import regularizers
from nbkeras.layers.rnn.rnn import RNN

# The cell's config keys that the layer's config repeats, in Keras's order.
_CELL_KEYS = ("units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
              "recurrent_initializer", "bias_initializer", "unit_forget_bias",
              "kernel_regularizer", "recurrent_regularizer", "bias_regularizer")
_CELL_KEYS_2 = ("kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
                "recurrent_dropout", "seed", "reset_after")


class BuiltinRNN(RNN):
    """An `RNN` over one of the built-in cells, built from the layer's own arguments."""

    _cell_class = None
    _cell_name = None

    def __init__(self, units, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False,
                 activity_regularizer=None, use_cudnn="auto", **kwargs):
        base = {k: kwargs.pop(k) for k in ("name", "dtype", "trainable", "input_shape",
                                           "input_dim", "batch_input_shape", "batch_size")
                if k in kwargs}
        kwargs.pop("implementation", None)
        cell = self._cell_class(units, dtype=base.get("dtype"),
                                trainable=base.get("trainable", True), name=self._cell_name,
                                **kwargs)
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         zero_output_for_mask=zero_output_for_mask,
                         activity_regularizer=activity_regularizer, **base)
        self.use_cudnn = use_cudnn

    def __getattr__(self, name):
        # units, activation, kernel, recurrent_kernel, bias, dropout, ...: the cell's.
        if name.startswith("__") or name == "cell" or "cell" not in self.__dict__:
            raise AttributeError(name)
        try:
            return getattr(self.__dict__["cell"], name)
        except AttributeError:
            raise AttributeError(
                f"'{type(self).__name__}' object has no attribute '{name}'") from None

    def get_config(self):
        cell_cfg = self.cell.get_config()
        cfg = RNN.get_config(self)
        del cfg["cell"]
        flat = {k: cell_cfg[k] for k in _CELL_KEYS if k in cell_cfg}
        flat["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        flat.update({k: cell_cfg[k] for k in _CELL_KEYS_2 if k in cell_cfg})
        base = {k: cfg.pop(k) for k in ("name", "trainable", "dtype") if k in cfg}
        cfg.pop("activity_regularizer", None)
        return {**base, **flat, **cfg}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)
