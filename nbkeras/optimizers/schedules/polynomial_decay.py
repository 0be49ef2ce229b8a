"""`PolynomialDecay`: decays from the initial rate to `end_learning_rate` along a power curve."""

import numpy as np

from nbkeras.optimizers.schedules.learning_rate_schedule import (F32, LearningRateSchedule,
                                                                 as_step, check_positive)


class PolynomialDecay(LearningRateSchedule):
    """(initial - end) * (1 - step / decay_steps) ** power + end.

    Without `cycle`, the step is capped at `decay_steps`; with `cycle`, `decay_steps` is
    stretched to the first multiple of itself at or above the step.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: the number of steps to decay over.
        end_learning_rate: the final rate (0.0001).
        power: the power of the polynomial (1.0: linear).
        cycle: whether to restart the decay after `decay_steps`.
        name: the schedule's name.

    Example:
        >>> float(PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.0)(5))
        0.05000000074505806
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name
        check_positive("decay_steps", decay_steps)

    def __call__(self, step):
        initial, end = F32(self.initial_learning_rate), F32(self.end_learning_rate)
        step = as_step(step)
        decay_steps = F32(self.decay_steps)
        if self.cycle:
            multiplier = F32(1) if step == 0 else np.ceil(step / decay_steps)
            decay_steps = decay_steps * multiplier
        else:
            step = np.minimum(step, decay_steps)
        p = step / decay_steps
        return (initial - end) * (F32(1) - p) ** F32(self.power) + end

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}
