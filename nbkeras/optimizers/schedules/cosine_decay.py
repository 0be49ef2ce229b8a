"""`CosineDecay`: an optional linear warmup, then a cosine decay to `alpha` times the peak rate."""

import math

import numpy as np

from nbkeras.optimizers.schedules.learning_rate_schedule import (F32, LearningRateSchedule,
                                                                 as_step, check_positive)


def cosine_factor(fraction, alpha):
    """(1 - alpha) * 0.5 * (1 + cos(pi * fraction)) + alpha, in float32."""
    cosine = F32(0.5) * (F32(1) + np.cos(F32(math.pi) * fraction))
    return (F32(1) - F32(alpha)) * cosine + F32(alpha)


class CosineDecay(LearningRateSchedule):
    """Cosine decay over `decay_steps`, after an optional linear warmup.

    Without `warmup_target`: rate = initial * factor(min(step, decay_steps) / decay_steps).
    With it: the rate goes linearly from `initial_learning_rate` to `warmup_target` over
    `warmup_steps`, then decays from `warmup_target` over `decay_steps`. The factor is
    (1 - alpha) * 0.5 * (1 + cos(pi * fraction)) + alpha.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: the number of steps to decay over.
        alpha: the final rate as a fraction of the decayed-from rate (0.0).
        name: the schedule's name.
        warmup_target: the rate reached at the end of the warmup, or None for no warmup.
        warmup_steps: the number of warmup steps (0).

    Example:
        >>> float(CosineDecay(0.1, decay_steps=10)(5))
        0.05000000447034836
        >>> float(CosineDecay(0.0, decay_steps=10, warmup_target=0.1, warmup_steps=4)(2))
        0.05000000074505806
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target
        check_positive("decay_steps", decay_steps)

    def __call__(self, step):
        initial = F32(self.initial_learning_rate)
        decay_steps = F32(self.decay_steps)
        step = as_step(step)
        if self.warmup_target is None:
            step = np.minimum(step, decay_steps)
            return initial * cosine_factor(step / decay_steps, self.alpha)
        target, warmup = F32(self.warmup_target), F32(self.warmup_steps)
        step = np.minimum(step, decay_steps + warmup)
        if step < warmup:
            return (target - initial) * (step / warmup) + initial
        return target * cosine_factor((step - warmup) / decay_steps, self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}
