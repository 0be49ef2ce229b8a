"""`Adam`: adaptive moment estimation, with optional AMSGrad."""

import math

from nbkeras.backend import kernels as K
from nbkeras.optimizers.optimizer import Optimizer


class Adam(Optimizer):
    """Adam, as Keras 3 defines it.

    With t = iterations + 1: `m += (g - m) * (1 - beta_1)`, `v += (g^2 - v) * (1 - beta_2)`,
    `w -= m * lr * sqrt(1 - beta_2^t) / (1 - beta_1^t) / (sqrt(v) + epsilon)`.

    Args:
        learning_rate: a float or a schedule (0.001).
        beta_1: decay of the first moment (0.9).
        beta_2: decay of the second moment (0.999).
        epsilon: the fuzz factor (1e-7; Keras 2's None means the same).
        amsgrad: whether to use the maximum of past second moments.
        **kwargs: base optimizer arguments, including Keras 2's `lr` and `decay`.

    Example:
        >>> adam = nbkeras.optimizers.Adam(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=None)
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = 1e-7 if epsilon is None else float(epsilon)
        self.amsgrad = bool(amsgrad)

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])
        self._velocity_hats = (self.add_optimizer_variables(var_list, "velocity_hat")
                               if self.amsgrad else [])

    def _update(self, grads, variables, lr):
        scalars = {}  # the step's scalars in each variable dtype, converted once
        for g, v in zip(grads, variables):
            var, m, vel, vhat = self._views(v, self._momentums, self._velocities,
                                            self._velocity_hats)
            dt = var.dtype.type
            s = scalars.get(dt)
            if s is None:
                s = scalars[dt] = self._rule_scalars(dt, lr)
            K.adam_update(var, g.reshape(-1), m, vel, vhat, *s, self.amsgrad)

    def _rule_scalars(self, dt, lr):
        """The update kernel's scalars at this step, in the variables' dtype `dt`."""
        t = float(self._step() + 1)
        alpha = lr * math.sqrt(1.0 - self.beta_2 ** t) / (1.0 - self.beta_1 ** t)
        return dt(alpha), dt(1.0 - self.beta_1), dt(1.0 - self.beta_2), dt(self.epsilon)

    def _fused_rule(self):
        """(the update rule's name, its flag, its slot lists) for the fused training step."""
        return "adam", self.amsgrad, (self._momentums, self._velocities, self._velocity_hats)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                    "amsgrad": self.amsgrad})
        return cfg
