"""`Metric`: the base class of stateful metrics (update_state, result, reset_state)."""

import numpy as np

from nbkeras import config
from nbkeras.backend import active as _device
from nbkeras.utils import naming
from nbkeras.variables import Variable


class Metric:
    """Base class of stateful metrics.

    Subclasses create their state in `__init__` with `add_variable`, update it in
    `update_state` and compute the value from it in `result`.

    The state variables live on the active device. A metric whose class sets `on_device`
    computes its updates there too, so `fit` hands it the device's arrays (no copy of the
    predictions per batch; its state comes back at `result()`); the others get NumPy
    copies on the host.

    Args:
        name: the metric name (by default the snake-cased class name, made unique).
        dtype: the dtype of the state and the result (floatx by default).

    Example:
        >>> m = nbkeras.metrics.Mean()
        >>> m.update_state([1.0, 3.0])
        >>> m.result()
        2.0
    """

    on_device = False  # update_state takes device arrays (see the class docstring)

    @classmethod
    def _updates_on_device(cls):
        """Whether `update_state` takes device arrays: the `on_device` set by the class that
        defines `update_state`, or by a subclass of it. A subclass that overrides
        `update_state` without setting `on_device` gets host arrays (it may use NumPy).

        Example:
            >>> nbkeras.metrics.Mean._updates_on_device(), nbkeras.metrics.AUC._updates_on_device()
            (True, False)
        """
        for klass in cls.__mro__:
            if "on_device" in vars(klass):
                return bool(vars(klass)["on_device"])
            if "update_state" in vars(klass):
                return False
        return False

    def __init__(self, dtype=None, name=None):
        self.name = name or naming.auto_name(type(self).__name__)
        self._dtype = str(np.dtype(dtype or config.floatx()))
        self._variables = []
        self._metrics = []

    def __setattr__(self, name, value):
        # A metric kept as an attribute contributes its state to `variables`.
        if isinstance(value, Metric) and "_metrics" in self.__dict__:
            self._metrics.append(value)
        super().__setattr__(name, value)

    @property
    def dtype(self):
        """The dtype of the state and the result, as a string."""
        return self._dtype

    @property
    def variables(self):
        """The state variables, in creation order, then those of metrics held as attributes."""
        out = list(self._variables)
        for m in self._metrics:
            out.extend(m.variables)
        return out

    def add_variable(self, shape, initializer="zeros", dtype=None, name=None):
        """Create a non-trainable state variable and track it.

        Args:
            shape: the shape of the variable.
            initializer: an initializer name or object (`'zeros'`).
            dtype: the dtype (the metric's dtype by default).
            name: the variable name, such as `'total'`.

        Example:
            >>> self.true_positives = self.add_variable((), name="true_positives")
        """
        if "_variables" not in self.__dict__:
            raise RuntimeError(
                "You forgot to call `super().__init__()` in the `__init__()` method. "
                f"Received: metric={type(self).__name__}"
            )
        dtype = dtype or self.dtype
        shape = tuple(shape)
        if initializer in (None, "zeros", "Zeros"):
            value = np.zeros(shape, dtype=dtype)
        else:
            from nbkeras import initializers

            value = initializers.get(initializer)(shape, dtype=dtype)
        var = Variable(value, dtype=dtype, trainable=False, name=name)
        var.path = f"{self.name}/{var.name}"
        self._variables.append(var)
        return var

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        """Alias of `add_variable` (scalar by default), kept for older code."""
        return self.add_variable(shape, initializer=initializer, dtype=dtype, name=name)

    def update_state(self, *args, **kwargs):
        """Accumulate statistics for the metric."""
        raise NotImplementedError

    def result(self):
        """Compute the current value from the state."""
        raise NotImplementedError

    def reset_state(self):
        """Set every state variable back to zeros."""
        for v in self.variables:
            v.data[...] = 0  # in place, as `assign(zeros)` does (evaluate resets every call)

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    # ---------------------------------------------------------- stateless
    def stateless_update_state(self, metric_variables, *args, **kwargs):
        """`update_state` on the state `metric_variables`, leaving the metric's own untouched.

        Args:
            metric_variables: one array per variable of `self.variables`, in that order.
            *args, **kwargs: the arguments of `update_state`.

        Returns:
            The updated state: a list of new arrays, one per variable.

        Example:
            >>> m = nbkeras.metrics.Mean()
            >>> state = m.stateless_update_state(m.stateless_reset_state(), [1.0, 3.0])
            >>> m.stateless_result(state)
            2.0
        """
        with _swapped_state(self, metric_variables):
            self.update_state(*args, **kwargs)
            return [np.array(v.data, copy=True) for v in self.variables]

    def stateless_result(self, metric_variables):
        """`result()` computed from the state `metric_variables` (one array per variable).

        Example:
            >>> m.stateless_result([np.float32(6.0), np.float32(3.0)])  # a Mean: total, count
            2.0
        """
        with _swapped_state(self, metric_variables):
            return self.result()

    def stateless_reset_state(self):
        """The state after `reset_state()`, as new arrays; the metric's own state is kept.

        Example:
            >>> state = nbkeras.metrics.Mean().stateless_reset_state()  # [0.0, 0.0]
        """
        with _swapped_state(self, [v.data for v in self.variables]):
            self.reset_state()
            return [np.array(v.data, copy=True) for v in self.variables]

    def get_config(self):
        """The constructor arguments, with Keras's key names."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"

    __str__ = __repr__


class _swapped_state:
    """Give `metric`'s variables the values `values` inside the block; restore them on exit."""

    def __init__(self, metric, values):
        variables = metric.variables
        values = list(values)
        if len(values) != len(variables):
            raise ValueError(
                "Argument `metric_variables` must be a list of tensors corresponding 1:1 to "
                f"{type(metric).__name__}().variables. Received: a list of length "
                f"{len(values)}, but expected {len(variables)} variables.")
        self.variables = variables
        self.values = values

    def __enter__(self):
        self.saved = [np.array(v.data, copy=True) for v in self.variables]
        for v, value in zip(self.variables, self.values):
            v.assign(value)

    def __exit__(self, *exc):
        for v, value in zip(self.variables, self.saved):
            v.data[...] = value
        return False


def as_result(value, dtype="float32"):
    """A result in the metric's dtype: a Python float for a scalar, else an array (on the
    host: this is where a device metric's state is copied back)."""
    a = np.asarray(_device.to_numpy(value), dtype=dtype)
    return float(a) if a.ndim == 0 else a
