"""`StackedRNNCells`: several cells run as one, each feeding the next."""

import numpy as np

from nbkeras.layers.layer import Layer, _takes


def _output_size(cell):
    size = getattr(cell, "output_size", None)
    if size is not None:
        return size
    return cell.state_size[0] if isinstance(cell.state_size, (list, tuple)) else cell.state_size


class StackedRNNCells(Layer):
    """Wrap a list of cells so that `RNN` runs them as a stack (as `RNN([cells])` does).

    Args:
        cells: a list of cells; each one's output is the next one's input.

    Example:
        >>> cells = [nbkeras.layers.LSTMCell(8), nbkeras.layers.GRUCell(4)]
        >>> nbkeras.layers.RNN(nbkeras.layers.StackedRNNCells(cells))(np.zeros((2, 5, 3))).shape
        (2, 4)
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if not callable(getattr(cell, "call", None)) or not hasattr(cell, "state_size"):
                raise ValueError("All cells must have a `call` method and a `state_size` "
                                 f"attribute. Received: cells={cells}")
        self.cells = list(cells)

    @property
    def state_size(self):
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        return _output_size(self.cells[-1])

    def get_initial_state(self, batch_size=None):
        states = []
        for cell in self.cells:
            if hasattr(cell, "get_initial_state"):
                states.append(cell.get_initial_state(batch_size=batch_size))
            elif isinstance(cell.state_size, (list, tuple)):
                states.append([np.zeros((batch_size, d), self.dtype) for d in cell.state_size])
            else:
                states.append(np.zeros((batch_size, cell.state_size), self.dtype))
        return states

    def build(self, input_shape):
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell._maybe_build(input_shape)
            input_shape = (input_shape[0], _output_size(cell))
        self.built = True

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            nested = isinstance(cell_states, (list, tuple))
            cell_states = list(cell_states) if nested else [cell_states]
            kwargs = {"training": training} if _takes(type(cell), "training") else {}
            inputs, cell_states = cell(inputs, cell_states, **kwargs)
            cell_states = list(cell_states) if isinstance(cell_states, (list, tuple)) else [cell_states]
            new_states.append(cell_states[0] if len(cell_states) == 1 and not nested else cell_states)
        return inputs, new_states

    def get_config(self):
        from nbkeras.saving.serialization import serialize_keras_object

        return {**super().get_config(), "cells": [serialize_keras_object(c) for c in self.cells]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from nbkeras.saving.serialization import deserialize_keras_object

        config = dict(config)
        config["cells"] = [deserialize_keras_object(c, custom_objects=custom_objects)
                           for c in config["cells"]]
        return cls(**config)
