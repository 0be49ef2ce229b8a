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

    # Operators build op nodes, as on Keras's KerasTensor (see `nbkeras.ops.symbolic`).
    def __getitem__(self, key):
        return _ops().getitem(self, key)

    def __neg__(self):
        return _ops().negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops().absolute(self)

    def __add__(self, other):
        return _ops().add(self, other)

    def __radd__(self, other):
        return _ops().add(other, self)

    def __sub__(self, other):
        return _ops().subtract(self, other)

    def __rsub__(self, other):
        return _ops().subtract(other, self)

    def __mul__(self, other):
        return _ops().multiply(self, other)

    def __rmul__(self, other):
        return _ops().multiply(other, self)

    def __truediv__(self, other):
        return _ops().true_divide(self, other)

    def __rtruediv__(self, other):
        return _ops().true_divide(other, self)

    def __pow__(self, other):
        return _ops().power(self, other)

    def __rpow__(self, other):
        return _ops().power(other, self)

    def __matmul__(self, other):
        return _ops().matmul(self, other)

    def __rmatmul__(self, other):
        return _ops().matmul(other, self)

    def __lt__(self, other):
        return _ops().less(self, other)

    def __le__(self, other):
        return _ops().less_equal(self, other)

    def __gt__(self, other):
        return _ops().greater(self, other)

    def __ge__(self, other):
        return _ops().greater_equal(self, other)

    # `==` stays identity (KerasTensors are dict keys), as on Keras's KerasTensor.
    def __ne__(self, other):
        return _ops().not_equal(self, other)

    def __floordiv__(self, other):
        return _ops().floor_divide(self, other)

    def __rfloordiv__(self, other):
        return _ops().floor_divide(other, self)

    def __mod__(self, other):
        return _ops().mod(self, other)

    def __rmod__(self, other):
        return _ops().mod(other, self)

    def __and__(self, other):
        return _ops().logical_and(self, other)

    def __rand__(self, other):
        return _ops().logical_and(other, self)

    def __or__(self, other):
        return _ops().logical_or(self, other)

    def __ror__(self, other):
        return _ops().logical_or(other, self)

    def __xor__(self, other):
        return _ops().logical_xor(self, other)

    def __rxor__(self, other):
        return _ops().logical_xor(other, self)

    def __invert__(self):
        return _ops().logical_not(self)

    def __round__(self, ndigits=None):
        return _ops().round(self, decimals=ndigits or 0)

    __hash__ = object.__hash__


def _ops():
    from nbkeras import ops

    return ops


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
