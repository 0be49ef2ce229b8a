"""`Lion`: sign-based updates from an interpolation of momentum and gradient."""

from nbkeras.backend import kernels as K
from nbkeras.optimizers.optimizer import Optimizer


class Lion(Optimizer):
    """Lion, as Keras 3 defines it:

    `w -= lr * sign(beta_1 * m + (1 - beta_1) * g)`, then `m = beta_2 * m + (1 - beta_2) * g`.

    Args:
        learning_rate: a float or a schedule (0.001).
        beta_1: the interpolation factor of the update direction (0.9), in (0, 1].
        beta_2: decay of the momentum (0.99).
        **kwargs: base optimizer arguments, including Keras 2's `lr` and `decay`.

    Example:
        >>> opt = nbkeras.optimizers.Lion(learning_rate=1e-4, weight_decay=0.01)
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError("Argument `beta_1` must be in (0, 1]; otherwise Lion becomes "
                             f"SignSGD. Received: beta_1={beta_1}")

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._momentums = self.add_optimizer_variables(var_list, "momentum")

    def update_step(self, gradient, variable, learning_rate):
        var, m = self._views(variable, self._momentums)
        K.lion_update(var, gradient.reshape(-1), m, learning_rate, self.beta_1, self.beta_2)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return cfg
