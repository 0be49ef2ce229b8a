"""The `LearningRateSchedule` base class and the exponential / inverse-time decays.

Schedules compute in float32, as Keras does for a float `initial_learning_rate`.
"""

import numpy as np

from nbkeras.ops.core import unwrap

F32 = np.float32


def as_step(step):
    """The step (an int, a NumPy scalar or a Variable) as a float32 scalar."""
    return F32(unwrap(step))


def check_positive(name, value):
    """Raise the ValueError Keras raises for a non-positive step count."""
    if value <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")


class LearningRateSchedule:
    """Base class: `schedule(step)` returns the learning rate at optimizer step `step`.

    Subclasses implement `__call__(step)` and `get_config()`.

    Example:
        >>> class Halve(LearningRateSchedule):
        ...     def __call__(self, step):
        ...         return 0.1 * 0.5 ** step
        ...     def get_config(self):
        ...         return {}
    """

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`. "
            f"Received: step={step!r}")

    def get_config(self):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` to be "
            f"serializable. Received: schedule={self!r}")

    @classmethod
    def from_config(cls, config):
        """Create the schedule from `get_config()`'s dict."""
        return cls(**config)


class _RateDecay(LearningRateSchedule):
    """Shared state of the decays driven by (initial rate, decay_steps, decay_rate, staircase)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name=None):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name or type(self).__name__
        check_positive("decay_steps", decay_steps)

    def _progress(self, step):
        p = as_step(step) / F32(self.decay_steps)
        return np.floor(p) if self.staircase else p

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class InverseTimeDecay(_RateDecay):
    """initial_learning_rate / (1 + decay_rate * step / decay_steps).

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: how many steps make one unit of decay.
        decay_rate: the decay factor.
        staircase: whether to decay in discrete steps.
        name: the schedule's name.

    Example:
        >>> float(InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5)(2))
        0.05000000074505806
    """

    def __call__(self, step):
        p = self._progress(step)
        return F32(self.initial_learning_rate) / (F32(1) + F32(self.decay_rate) * p)


class ExponentialDecay(_RateDecay):
    """initial_learning_rate * decay_rate ** (step / decay_steps).

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: how many steps make one unit of decay.
        decay_rate: the decay factor.
        staircase: whether to decay in discrete steps.
        name: the schedule's name.

    Example:
        >>> float(ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)(10))
        0.05000000074505806
    """

    def __call__(self, step):
        return F32(self.initial_learning_rate) * F32(self.decay_rate) ** self._progress(step)
