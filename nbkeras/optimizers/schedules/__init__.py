"""Learning-rate schedules usable as any optimizer's `learning_rate`.

Example:
    >>> lr = nbkeras.optimizers.schedules.CosineDecay(0.1, decay_steps=1000, warmup_target=0.2,
    ...                                                warmup_steps=100)
    >>> opt = nbkeras.optimizers.SGD(learning_rate=lr)
"""

from nbkeras.optimizers.schedules.cosine_decay import CosineDecay
from nbkeras.optimizers.schedules.cosine_decay_restarts import CosineDecayRestarts
from nbkeras.optimizers.schedules.learning_rate_schedule import (
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
)
from nbkeras.optimizers.schedules.piecewise_constant_decay import PiecewiseConstantDecay
from nbkeras.optimizers.schedules.polynomial_decay import PolynomialDecay
from nbkeras.optimizers.schedules.serialization import deserialize, serialize

__all__ = ["LearningRateSchedule", "ExponentialDecay", "InverseTimeDecay",
           "PiecewiseConstantDecay", "PolynomialDecay", "CosineDecay", "CosineDecayRestarts",
           "serialize", "deserialize"]
