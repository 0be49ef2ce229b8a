"""`Initializer`: the base class of weight initializers (`initializer(shape, dtype)`)."""

import numpy as np

from nbkeras import config


def standardize_dtype(dtype):
    """The NumPy dtype for `dtype`, floatx when None."""
    return np.dtype(dtype or config.floatx())


class Initializer:
    """Base class: `initializer(shape, dtype=None)` returns a NumPy array of that shape.

    Subclasses implement `__call__` and, when they take arguments, `get_config`.

    Example:
        >>> class Halves(nbkeras.initializers.Initializer):
        ...     def __call__(self, shape, dtype=None):
        ...         return np.full(shape, 0.5, dtype=dtype or "float32")
    """

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(
            "Initializer subclasses must implement the `__call__()` method. "
            f"Received: initializer={type(self).__name__}"
        )

    def get_config(self):
        """Return the constructor arguments as a JSON-friendly dict."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Create an initializer from the dict `get_config()` returned."""
        return cls(**config)

    def clone(self):
        """Return a new initializer with the same configuration."""
        return self.__class__.from_config(self.get_config())
