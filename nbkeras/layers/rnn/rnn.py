"""`RNN`: runs a cell over the time axis of a sequence.

For the built-in cells (`SimpleRNNCell`, `LSTMCell`, `GRUCell`) with activations the
Numba kernels implement, the whole sequence runs on the fused recurrent op
(`nbkeras.ops.rnn`). Any other cell, a custom one included, runs step by step through
its `call`, built from `ops`, so its gradient comes from the ops' own.
"""

import numpy as np

from nbkeras import ops
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer, _takes
from nbkeras.layers.rnn.cell_base import RNNCellBase
from nbkeras.layers.rnn.gru_cell import GRUCell
from nbkeras.layers.rnn.lstm_cell import LSTMCell
from nbkeras.layers.rnn.simple_rnn_cell import SimpleRNNCell
from nbkeras.layers.rnn.stacked_rnn_cells import StackedRNNCells
from nbkeras.ops import rnn as rnn_ops
from nbkeras.ops.core import unwrap

_FUSED = {SimpleRNNCell: "simple", LSTMCell: "lstm", GRUCell: "gru"}


def _kernel_activation(fn):
    """The fused kernels' name of an activation, or None when they lack it."""
    if fn is None:
        return "linear"
    from nbkeras import activations

    name = activations.serialize(fn)
    return name if isinstance(name, str) and name in rnn_ops.ACTIVATIONS else None


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


class RNN(Layer):
    """Run a recurrent cell over sequences `(batch, time, features)`.

    Args:
        cell: a cell (a layer with `call(inputs, states)` returning `(output, new_states)`
            and a `state_size`), or a list of cells (stacked).
        return_sequences: output every step (batch, time, units), else the last one.
        return_state: also return the final states.
        go_backwards: process the sequence in reverse (outputs in processing order).
        stateful: carry the final states of a batch into the next call.
        unroll: accepted for Keras compatibility (the numbers are the same).
        zero_output_for_mask: output zeros at masked steps (else the previous state).

    Example:
        >>> rnn = nbkeras.layers.RNN(nbkeras.layers.LSTMCell(4), return_sequences=True)
        >>> rnn(np.zeros((2, 5, 3))).shape
        (2, 5, 4)
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not callable(getattr(cell, "call", None)) or not hasattr(cell, "state_size"):
            raise ValueError("Argument `cell` should have a `call` method and a `state_size` "
                             f"attribute. Received: cell={cell}")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.input_spec = InputSpec(ndim=3)
        self.states = None

    @property
    def state_size(self):
        return _as_list(self.cell.state_size)

    def build(self, input_shape):
        if not self.cell.built:
            self.cell._maybe_build((input_shape[0],) + tuple(input_shape[2:]))
        if self.stateful:
            if input_shape[0] is None:
                raise ValueError(
                    "When using `stateful=True` in a RNN, the batch size must be static. "
                    f"Found dynamic batch size: sequence.shape={tuple(input_shape)}")
            self.states = self.get_initial_state(input_shape[0])
        self.built = True

    def get_initial_state(self, batch_size):
        """Zero states for a batch, in the structure of the cell's `state_size`."""
        if hasattr(self.cell, "get_initial_state"):
            return _as_list(self.cell.get_initial_state(batch_size=batch_size))

        def zeros(size):
            if isinstance(size, (list, tuple)):
                return [zeros(s) for s in size]
            return np.zeros((batch_size, int(size)), self.dtype)
        return [zeros(s) for s in self.state_size]

    def reset_state(self):
        """Zero the states of a stateful layer."""
        for s in _flat(self.states or []):
            s[...] = 0

    reset_states = reset_state

    # --------------------------------------------------------------------- call
    def _initial_state(self, n, initial_state):
        if initial_state is None:
            if not self.stateful:
                return self.get_initial_state(n)
            if self.states is None or _flat(self.states)[0].shape[0] != n:
                if self.states is not None:
                    raise ValueError(
                        "If an RNN is stateful, the batch size of the input sequences must "
                        "be the same as the batch size of the initial state. \n"
                        f"- Expected batch size: {_flat(self.states)[0].shape[0]}\n"
                        f"- Received batch size: {n}")
                self.states = self.get_initial_state(n)
            return list(self.states)
        initial_state = _as_list(initial_state)
        sizes = _flat_sizes(self.state_size)
        if len(_flat(initial_state)) != len(sizes):
            raise ValueError(
                f"Layer {self.name} expects {len(sizes)} initial "
                f"state(s) but received {len(_flat(initial_state))}.")

        def convert(s):
            if isinstance(s, (list, tuple)):
                return [convert(v) for v in s]
            return s if isinstance(s, ops.Tensor) else np.asarray(s, self.dtype)
        initial_state = [convert(s) for s in initial_state]
        for i, (s, size) in enumerate(zip(_flat(initial_state), sizes)):
            if tuple(np.shape(unwrap(s))) != (n, size):
                raise ValueError(
                    f"Layer {self.name}: each initial state must have shape (batch_size, units) "
                    f"= {(n, size)}. Received: initial_state[{i}].shape={tuple(np.shape(unwrap(s)))}")
        return initial_state

    def call(self, sequences, initial_state=None, mask=None, training=False):
        n = sequences.shape[0]
        fused = self._fused()
        if fused is not None and initial_state is None and self._zero_start():
            states = [None] * len(self.state_size)  # the fused op starts them at zeros
        else:
            states = self._initial_state(n, initial_state)
        if mask is not None:
            mask = np.asarray(unwrap(mask)).astype(bool)
            if mask.ndim == 3:
                mask = mask[..., 0]
        for cell in getattr(self.cell, "cells", [self.cell]):
            for reset in ("reset_dropout_mask", "reset_recurrent_dropout_mask"):
                if hasattr(cell, reset):
                    getattr(cell, reset)()
        if fused is not None:
            output, states = self._run_fused(fused, sequences, states, mask, training)
        else:
            output, states = self._run_steps(sequences, states, mask, training)
        if self.stateful:
            for var, s in zip(_flat(self.states), _flat(states)):
                var[...] = unwrap(s)
        if self.return_state:
            return [output, *states]
        return output

    def _zero_start(self):
        """Whether a call without initial states starts at zeros made in the fused op (not
        stateful, and neither the layer nor its cell makes its own initial states)."""
        return (not self.stateful and type(self).get_initial_state is RNN.get_initial_state
                and type(self.cell).get_initial_state is RNNCellBase.get_initial_state)

    def _fused(self):
        kind = _FUSED.get(type(self.cell))
        if kind is None:
            return None
        act = _kernel_activation(self.cell.activation)
        ract = "sigmoid" if kind == "simple" else _kernel_activation(self.cell.recurrent_activation)
        return None if act is None or ract is None else (kind, act, ract)

    def _fused_dropout_masks(self, kind, n, d, training):
        """Per-sequence dropout masks for the fused op (one per gate with recurrent dropout)."""
        cell = self.cell
        im = rm = None
        if not training:
            return im, rm
        count = cell._gates if cell.recurrent_dropout and kind != "simple" else None
        if 0 < cell.dropout < 1:
            im = cell._draw((n, d), cell.dropout) if count is None else [
                cell._draw((n, d), cell.dropout) for _ in range(count)]
        if 0 < cell.recurrent_dropout < 1:
            rm = [cell._draw((n, cell.units), cell.recurrent_dropout) for _ in range(count or 1)]
        return im, rm

    def _run_fused(self, fused, sequences, states, mask, training):
        kind, act, ract = fused
        cell = self.cell
        im, rm = self._fused_dropout_masks(kind, sequences.shape[0], sequences.shape[2], training)
        return rnn_ops.rnn(
            kind, sequences, cell.kernel, cell.recurrent_kernel, cell.bias, states,
            mask=mask, go_backwards=self.go_backwards, activation=act, recurrent_activation=ract,
            reset_after=getattr(cell, "reset_after", True), input_masks=im, recurrent_masks=rm,
            zero_output_for_mask=self.zero_output_for_mask,
            return_sequences=self.return_sequences)

    def _run_steps(self, sequences, states, mask, training):
        """The cell's own `call`, one step at a time (any cell; differentiable through ops)."""
        kwargs = {"training": training} if _takes(type(self.cell), "training") else {}
        steps = range(sequences.shape[1])
        outputs = []
        for t in (reversed(steps) if self.go_backwards else steps):
            result = self.cell(sequences[:, t], states, **kwargs)
            if not isinstance(result, (tuple, list)) or len(result) != 2:
                raise ValueError(
                    f"The `call` of cell {type(self.cell).__name__} must return a tuple "
                    f"`(output, new_states)`. Received: {type(result).__name__}"
                    + (f" of shape {np.shape(unwrap(result))}" if hasattr(result, "shape") else ""))
            out, new = result
            new = _as_list(new)
            if mask is not None:
                keep = mask[:, t][:, None]
                if self.zero_output_for_mask:
                    out = ops.where(keep, out, np.zeros((), self.dtype))
                else:
                    prev = states[-1][0] if isinstance(states[-1], (list, tuple)) else states[0]
                    out = ops.where(keep, out, prev)
                new = _where_nested(keep, new, states)
            states = new
            outputs.append(out)
        output = ops.stack(outputs, axis=1) if self.return_sequences else outputs[-1]
        return output, states

    def compute_mask(self, inputs, previous_mask):
        if isinstance(previous_mask, list):
            previous_mask = previous_mask[0]
        out = previous_mask if self.return_sequences else None
        if self.return_state:
            return [out] + [None] * len(self.state_size)
        return out

    def compute_output_shape(self, input_shape):
        n, t = input_shape[0], input_shape[1]
        size = getattr(self.cell, "output_size", None)
        if size is None:
            size = _flat_sizes(self.state_size)[0]
        out = (n, t, size) if self.return_sequences else (n, size)
        if self.return_state:
            return [out] + _state_shapes(n, self.state_size)
        return out

    def get_config(self):
        from nbkeras.saving.serialization import serialize_keras_object

        cfg = super().get_config()
        cfg.update({
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "cell": serialize_keras_object(self.cell),
        })
        return cfg

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from nbkeras.saving.serialization import deserialize_keras_object

        config = dict(config)
        config["cell"] = deserialize_keras_object(config["cell"], custom_objects=custom_objects)
        return cls(**config)


def _flat(x):
    out = []
    for v in x:
        out.extend(_flat(v) if isinstance(v, (list, tuple)) else [v])
    return out


def _flat_sizes(sizes):
    return [int(s) for s in _flat(sizes if isinstance(sizes, (list, tuple)) else [sizes])]


def _state_shapes(n, sizes):
    return [[(n, int(v)) for v in s] if isinstance(s, (list, tuple)) else (n, int(s))
            for s in sizes]


def _where_nested(keep, new, old):
    if isinstance(new, (list, tuple)):
        return [_where_nested(keep, a, b) for a, b in zip(new, old)]
    return ops.where(keep, new, old)
