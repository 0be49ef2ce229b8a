"""Elementwise merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum."""

from functools import reduce

from nbkeras import ops
from nbkeras.layers.merging.base_merge import Merge


class Add(Merge):
    """Adds a list of tensors.

    Example:
        >>> nbkeras.layers.Add()([np.ones((2, 3)), np.ones((2, 3))])
    """

    def _merge(self, inputs):
        return reduce(ops.add, inputs)


class Subtract(Merge):
    """Subtracts the second tensor from the first (exactly two inputs).

    Example:
        >>> nbkeras.layers.Subtract()([np.ones((2, 3)), np.ones((2, 3))])
    """

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(
                f"A `Subtract` layer should be called on exactly 2 inputs. "
                f"Received: {len(input_shape)} inputs"
            )
        super().build(input_shape)

    def _merge(self, inputs):
        return ops.subtract(inputs[0], inputs[1])


class Multiply(Merge):
    """Multiplies a list of tensors elementwise.

    Example:
        >>> nbkeras.layers.Multiply()([np.ones((2, 3)), np.ones((2, 3))])
    """

    def _merge(self, inputs):
        return reduce(ops.multiply, inputs)


class Average(Merge):
    """Averages a list of tensors elementwise.

    Example:
        >>> nbkeras.layers.Average()([np.ones((2, 3)), np.zeros((2, 3))])
    """

    def _merge(self, inputs):
        return ops.divide(reduce(ops.add, inputs), float(len(inputs)))


class Maximum(Merge):
    """Elementwise maximum of a list of tensors.

    Example:
        >>> nbkeras.layers.Maximum()([np.ones((2, 3)), np.zeros((2, 3))])
    """

    def _merge(self, inputs):
        return reduce(ops.maximum, inputs)


class Minimum(Merge):
    """Elementwise minimum of a list of tensors.

    Example:
        >>> nbkeras.layers.Minimum()([np.ones((2, 3)), np.zeros((2, 3))])
    """

    def _merge(self, inputs):
        return reduce(ops.minimum, inputs)


def add(inputs, **kwargs):
    """Functional form of `Add`."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """Functional form of `Subtract`."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """Functional form of `Multiply`."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """Functional form of `Average`."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """Functional form of `Maximum`."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """Functional form of `Minimum`."""
    return Minimum(**kwargs)(inputs)
