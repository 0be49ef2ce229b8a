"""`PiecewiseConstantDecay`: a constant learning rate on each interval between step boundaries."""

import numpy as np

from nbkeras.ops.core import unwrap
from nbkeras.optimizers.schedules.learning_rate_schedule import LearningRateSchedule


class PiecewiseConstantDecay(LearningRateSchedule):
    """A constant rate per interval: values[0] while step <= boundaries[0], values[i] while
    boundaries[i-1] < step <= boundaries[i], values[-1] after the last boundary.

    Args:
        boundaries: increasing step boundaries.
        values: the rates, one more than `boundaries`.
        name: the schedule's name.

    Example:
        >>> s = PiecewiseConstantDecay(boundaries=[10, 20], values=[1.0, 0.5, 0.1])
        >>> float(s(10)), float(s(11)), float(s(25))
        (1.0, 0.5, 0.10000000149011612)
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "`boundaries` must have one element fewer than `values`. Received: "
                f"boundaries={boundaries} (length {len(boundaries)}), "
                f"values={values} (length {len(values)})")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step = unwrap(step)
        integral = np.asarray(step).dtype.kind in "iu"
        dtype = np.asarray(self.values[0]).dtype
        dtype = {"f": np.float32, "i": np.int32}.get(dtype.kind, dtype)
        for boundary, value in zip(self.boundaries, self.values):
            # like Keras, boundaries take the step's type (an integer step truncates them)
            if step <= (int(boundary) if integral else boundary):
                return np.asarray(value, dtype)[()]
        return np.asarray(self.values[-1], dtype)[()]

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}
