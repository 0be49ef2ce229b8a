"""`RMSprop`: divides the gradient by a moving root mean square of recent gradients."""

from nbkeras.backend import kernels as K
from nbkeras.optimizers.optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop, as Keras 3 defines it (epsilon added inside the square root).

    Args:
        learning_rate: a float or a schedule (0.001).
        rho: the decay of the moving average of squared gradients (0.9).
        momentum: the momentum factor (0.0).
        epsilon: the fuzz factor (1e-7; Keras 2's None means the same).
        centered: whether to normalize by the estimated variance of the gradient.
        **kwargs: base optimizer arguments, including Keras 2's `lr` and `decay`.

    Example:
        >>> rms = nbkeras.optimizers.RMSprop(lr=0.001, rho=0.9, epsilon=None, decay=0.0)
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho = float(rho)
        self.momentum = float(momentum)
        self.epsilon = 1e-7 if epsilon is None else float(epsilon)
        self.centered = bool(centered)

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._velocities = self._add_slots(var_list, "velocity")
        self._momentums = self._add_slots(var_list, "momentum") if self.momentum > 0 else []
        self._average_gradients = self._add_slots(var_list, "average_gradient") if self.centered else []

    def update_step(self, gradient, variable, learning_rate):
        var, vel, mom, avg = self._views(variable, self._velocities, self._momentums,
                                         self._average_gradients)
        K.rmsprop_update(var, gradient.reshape(-1), vel, mom, avg,
                         *self._rule_scalars(var.dtype.type, learning_rate), self.centered)

    def _rule_scalars(self, dt, learning_rate):
        """The update kernel's scalars, in the variables' dtype `dt`."""
        return (dt(learning_rate), dt(self.rho), dt(1.0 - self.rho), dt(self.momentum),
                dt(self.epsilon))

    def _fused_rule(self):
        """(the update rule's name, its flag, its slot lists) for the fused training step."""
        return "rmsprop", self.centered, (self._velocities, self._momentums,
                                          self._average_gradients)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                    "centered": self.centered})
        return cfg
