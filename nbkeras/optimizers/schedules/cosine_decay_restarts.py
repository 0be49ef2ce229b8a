"""`CosineDecayRestarts`: cosine decay with warm restarts (SGDR)."""

import numpy as np

from nbkeras.optimizers.schedules.learning_rate_schedule import (F32, LearningRateSchedule,
                                                                 as_step, check_positive)


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay that restarts: the i-th period lasts first_decay_steps * t_mul**i steps and
    starts from initial_learning_rate * m_mul**i.

    Args:
        initial_learning_rate: the rate at step 0.
        first_decay_steps: the length of the first period.
        t_mul: how much longer each period is than the previous one (2.0).
        m_mul: how much lower each restart starts than the previous one (1.0).
        alpha: the final rate of each period as a fraction of its start (0.0).
        name: the schedule's name.

    Example:
        >>> s = CosineDecayRestarts(1.0, first_decay_steps=2)
        >>> float(s(1)), float(s(2))
        (0.5, 1.0)
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0,
                 name="SGDRDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name
        check_positive("first_decay_steps", first_decay_steps)

    def __call__(self, step):
        t_mul, one = F32(self._t_mul), F32(1)
        fraction = as_step(step) / F32(self.first_decay_steps)
        if t_mul == one:
            restart = np.floor(fraction)
            fraction = fraction - restart
        else:
            restart = np.floor(np.log(one - fraction * (one - t_mul)) / np.log(t_mul))
            done = (one - t_mul ** restart) / (one - t_mul)
            fraction = (fraction - done) / t_mul ** restart
        alpha = F32(self.alpha)
        cosine = F32(0.5) * F32(self._m_mul) ** restart * (one + np.cos(F32(np.pi) * fraction))
        return F32(self.initial_learning_rate) * ((one - alpha) * cosine + alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}
