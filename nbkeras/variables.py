"""`Variable`: a named, assignable tensor holding a layer's or optimizer's state."""

import numpy as np

from nbkeras import config
from nbkeras.backend import active as _device
from nbkeras.ops.core import Tensor, unwrap


class Variable(Tensor):
    """A mutable tensor; trainable variables receive gradients.

    Args:
        initializer: an initial value (an array or a number), an initializer name
            (`'zeros'`, `'glorot_uniform'`, ...) or a callable `initializer(shape, dtype)`.
        shape: the shape, needed with an initializer name or callable.
        dtype: the dtype (floatx by default).
        trainable: whether optimizers update it.
        autocast, aggregation, synchronization: accepted for Keras code; no effect here.
        name: a short name, such as `'kernel'`.

    Example:
        >>> v = nbkeras.Variable(np.zeros((2, 3)), name="w")
        >>> v.assign(np.ones((2, 3)))
        >>> v.numpy().sum()
        6.0
        >>> nbkeras.Variable(initializer="ones", shape=(2,), name="scale").numpy()
        array([1., 1.], dtype=float32)
    """

    __slots__ = ("name", "path", "_trainable", "regularizer", "constraint")

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, autocast=True,
                 aggregation="none", synchronization="auto", name=None):
        dtype = np.dtype(dtype or config.floatx())
        if isinstance(initializer, (str, dict)):
            from nbkeras import initializers

            initializer = initializers.get(initializer)
        if callable(initializer):
            if shape is None:
                raise ValueError(
                    "When creating a Variable from an initializer, the `shape` argument "
                    f"should be specified. Received: initializer={initializer!r}, shape=None"
                )
            value = initializer(tuple(shape), dtype=dtype)
        else:
            value = unwrap(initializer)
        # A fresh copy on the active device (the GPU's memory on CUDA).
        value = _device.asarray(np.array(_device.to_numpy(value), dtype=dtype, copy=True, order="C"))
        if shape is not None and value.shape != tuple(shape):
            raise ValueError(
                f"Initial value of shape {value.shape} does not match the "
                f"Variable's shape. Received: shape={tuple(shape)}"
            )
        super().__init__(value, bool(trainable))
        self._trainable = bool(trainable)
        self.name = name or "variable"
        self.path = self.name
        self.regularizer = None
        self.constraint = None

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        self._tracked = bool(value)

    @property
    def value(self):
        """The current value (the device's array: NumPy on the CPU; updated in place)."""
        return self.data

    def _coerce(self, value):
        """`value` as an array of this variable's kind (a device array of its dtype)."""
        return _device.asarray(unwrap(value), dtype=self.data.dtype)

    def assign(self, value):
        """Set the value in place; the shape must not change."""
        arr = self._coerce(value)
        if arr.shape != self.data.shape:
            raise ValueError(
                f"Cannot assign a value of shape {arr.shape} to variable "
                f"'{self.path}' of shape {self.data.shape}. Received: value.shape={arr.shape}"
            )
        self.data[...] = arr
        return self

    def assign_add(self, value):
        """Add to the value in place."""
        self.data += self._coerce(value)
        return self

    def assign_sub(self, value):
        """Subtract from the value in place."""
        self.data -= self._coerce(value)
        return self

    def __repr__(self):
        return (
            f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}, "
            f"value={_device.to_numpy(self.data)}>"  # NumPy's str, as Keras prints it
        )


class HostVariable(Variable):
    """A Variable whose value stays a NumPy array on the host, whatever the device.

    For state that only the host reads, such as an optimizer's step counter and learning
    rate: on a GPU, reading a device scalar every step would make the host wait for the
    GPU and copy it back. Everything else behaves as a `Variable`.

    Args:
        initializer: the initial value (an array or a number).
        dtype: the dtype (floatx by default).
        name: a short name, such as `'iteration'`.

    Example:
        >>> step = HostVariable(np.zeros((), "int32"), dtype="int32", name="iteration")
        >>> step.assign_add(1).numpy()
        array(1, dtype=int32)
    """

    __slots__ = ()

    def __init__(self, initializer, dtype=None, name=None):
        super().__init__(initializer, dtype=dtype, trainable=False, name=name)
        self.data = np.array(_device.to_numpy(self.data), copy=True)

    def _coerce(self, value):
        return np.asarray(_device.to_numpy(unwrap(value)), dtype=self.data.dtype)

