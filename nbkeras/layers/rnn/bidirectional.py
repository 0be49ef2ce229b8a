"""`Bidirectional`: a recurrent layer run forwards and backwards, outputs merged."""

from nbkeras import ops
from nbkeras.layers.core.wrapper import Wrapper
from nbkeras.layers.layer import Layer


def _copy_layer(layer, cfg):
    """A new layer of `layer`'s class from `cfg`; the classes of its cells (custom ones
    too, registered or not) are passed along so an `RNN(MyCell(...))` can be copied."""
    cell = getattr(layer, "cell", None)
    if cell is None:
        return type(layer).from_config(cfg)
    custom = {type(c).__name__: type(c) for c in [cell] + list(getattr(cell, "cells", []))}
    return type(layer).from_config(cfg, custom_objects=custom)


class Bidirectional(Wrapper):
    """Run `layer` forwards and a copy backwards over the sequence; merge their outputs.

    Args:
        layer: a recurrent layer (`SimpleRNN`, `LSTM`, `GRU`, `RNN`, `ConvLSTM2D`, ...).
        merge_mode: 'concat' (default), 'sum', 'mul', 'ave' or None (a list of both).
        backward_layer: an optional layer for the backward direction (with
            `go_backwards=True`); a copy of `layer` by default.

    Example:
        >>> nbkeras.layers.Bidirectional(nbkeras.layers.LSTM(4))(np.zeros((2, 5, 3))).shape
        (2, 8)
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer) or not hasattr(layer, "go_backwards"):
            raise ValueError(
                "Please initialize `Bidirectional` layer with a recurrent `keras.layers.Layer` "
                f"instance. Received: {layer}")
        if merge_mode not in ("sum", "mul", "ave", "concat", None):
            raise ValueError(
                f"Invalid merge mode. Received: {merge_mode}. Merge mode should be one of "
                '{"sum", "mul", "ave", "concat", None}')
        Layer.__init__(self, **kwargs)  # holds copies of `layer`, not `layer` itself
        cfg = layer.get_config()
        cfg["name"] = "forward_" + layer.name.removeprefix("forward_")
        self.forward_layer = _copy_layer(layer, cfg)
        if backward_layer is None:
            cfg = layer.get_config()
            cfg["name"] = "backward_" + layer.name.removeprefix("backward_")
            cfg["go_backwards"] = not cfg["go_backwards"]
            backward_layer = _copy_layer(layer, cfg)
        elif backward_layer.return_sequences != layer.return_sequences or \
                backward_layer.return_state != layer.return_state:
            raise ValueError(
                "Forward layer and backward layer should have the same `return_sequences` and "
                "`return_state`.")
        self.backward_layer = backward_layer
        for l in (self.forward_layer, self.backward_layer):
            l.zero_output_for_mask = l.return_sequences
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.stateful = layer.stateful
        self.supports_masking = True
        self._initial_weights = weights

    def build(self, input_shape):
        self.forward_layer._maybe_build(input_shape)
        self.backward_layer._maybe_build(input_shape)
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None
        self.built = True

    def call(self, sequences, initial_state=None, mask=None, training=None):
        fs = bs = None
        if initial_state is not None:
            half = len(initial_state) // 2
            fs, bs = list(initial_state[:half]), list(initial_state[half:])
        y = self.forward_layer(sequences, initial_state=fs, mask=mask, training=training)
        y_rev = self.backward_layer(sequences, initial_state=bs, mask=mask, training=training)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        # Ops, not array operators, also on plain arrays: a forward plan replays them.
        if self.return_sequences:
            y_rev = ops.getitem(y_rev, (slice(None), slice(None, None, -1)))
        if self.merge_mode == "concat":
            out = ops.concatenate([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            out = ops.add(y, y_rev)
        elif self.merge_mode == "ave":
            out = ops.multiply(ops.add(y, y_rev), 0.5)
        elif self.merge_mode == "mul":
            out = ops.multiply(y, y_rev)
        else:
            out = [y, y_rev]
        if self.return_state:
            return (out if isinstance(out, list) else [out]) + states
        return out

    def compute_mask(self, inputs, previous_mask):
        if isinstance(previous_mask, list):
            previous_mask = previous_mask[0]
        out = previous_mask if self.return_sequences else None
        if self.merge_mode is None:
            out = [out, out]
        if self.return_state:
            n = len(self.forward_layer.state_size) * 2
            return (out if isinstance(out, list) else [out]) + [None] * n
        return out

    def compute_output_shape(self, input_shape):
        shape = self.forward_layer.compute_output_shape(input_shape)
        states = []
        if self.return_state:
            states = shape[1:] * 2
            shape = shape[0]
        if self.merge_mode == "concat":
            out = tuple(shape[:-1]) + (shape[-1] * 2,)
        elif self.merge_mode is None:
            out = [tuple(shape), tuple(shape)]
        else:
            out = tuple(shape)
        if self.return_state:
            return (out if isinstance(out, list) else [out]) + [tuple(s) for s in states]
        return out

    def reset_state(self):
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    reset_states = reset_state

    def get_config(self):
        from nbkeras.layers import serialize

        cfg = Layer.get_config(self)
        cfg["merge_mode"] = self.merge_mode
        cfg["layer"] = serialize(self.forward_layer)
        cfg["backward_layer"] = serialize(self.backward_layer)
        return cfg

    @classmethod
    def from_config(cls, config):
        from nbkeras.layers import deserialize

        config = dict(config)
        config["layer"] = deserialize(config["layer"])
        if config.get("backward_layer") is not None:
            config["backward_layer"] = deserialize(config["backward_layer"])
        return cls(**config)
