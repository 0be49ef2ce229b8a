"""Learning-rate schedules usable as any optimizer's `learning_rate`."""

from nbkeras.optimizers.schedules.learning_rate_schedule import (  # noqa: F401
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
)
