"""Symbolic tensors and the nodes that link layers into a graph (the functional API)."""

from nbkeras import config
from nbkeras.utils.naming import uniquify as auto_name


class KerasTensor:
    """A symbolic placeholder: a shape (None for the batch) and a dtype, with its history.

    Args:
        shape: the shape, with None for unknown dimensions.
        dtype: the dtype name.
        name: an optional name.

    Example:
        >>> x = nbkeras.Input(shape=(20,))
        >>> x.shape
        (None, 20)
    """

    _keras_symbolic = True  # how `ops.core.op` recognizes symbolic inputs

    def __init__(self, shape, dtype=None, name=None, history=None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = str(dtype or config.floatx())
        self.name = name or auto_name("keras_tensor")
        # (layer, node_index, tensor_index) of the layer call that made this tensor.
        self._keras_history = history

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __getitem__(self, key):
        from nbkeras.layers.core.lambda_layer import Lambda

        return Lambda(lambda x: x[key], name=None)(self)


class Node:
    """One call of a layer on symbolic inputs."""

    def __init__(self, layer, inputs, outputs, call_args=(), call_kwargs=None,
                 inputs_structure=None):
        self.layer = layer
        # The inputs as the layer received them (a tensor, a list or a dict of tensors).
        self.inputs_structure = inputs_structure if inputs_structure is not None else (
            inputs[0] if len(inputs) == 1 else list(inputs))
        self.input_tensors = list(inputs)
        self.output_tensors = list(outputs)
        self.call_args = call_args
        self.call_kwargs = call_kwargs or {}
        # Whether call_args / call_kwargs hold symbolic tensors (listed in input_tensors
        # after the main inputs) that must be replaced by their values when the graph runs.
        self.tensor_arguments = False
        self.parent_nodes = [
            t._keras_history[0]._inbound_nodes[t._keras_history[1]]
            for t in self.input_tensors
            if t._keras_history is not None
        ]


def is_symbolic(x):
    """Whether x (or the first element of a list/tuple/dict) is a KerasTensor."""
    if isinstance(x, KerasTensor):
        return True
    if isinstance(x, (list, tuple)) and x:
        return any(isinstance(t, KerasTensor) for t in x)
    if isinstance(x, dict) and x:
        return any(isinstance(t, KerasTensor) for t in x.values())
    return False
