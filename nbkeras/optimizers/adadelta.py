"""`Adadelta`: step sizes from moving averages of squared gradients and squared updates."""

from nbkeras.backend import kernels as K
from nbkeras.optimizers.optimizer import Optimizer


class Adadelta(Optimizer):
    """Adadelta, as Keras 3 defines it (with a `learning_rate` factor on each update).

    `E[g^2] = rho * E[g^2] + (1 - rho) * g^2`,
    `d = -sqrt(E[d^2] + eps) / sqrt(E[g^2] + eps) * g`,
    `E[d^2] = rho * E[d^2] + (1 - rho) * d^2`, `w += lr * d`.

    Args:
        learning_rate: a float or a schedule (0.001).
        rho: the decay rate of both moving averages (0.95).
        epsilon: the fuzz factor (1e-7; Keras 2's None means the same).
        **kwargs: base optimizer arguments, including Keras 2's `lr` and `decay`.

    Example:
        >>> opt = nbkeras.optimizers.Adadelta(learning_rate=1.0, rho=0.95)
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho = rho
        self.epsilon = 1e-7 if epsilon is None else epsilon

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            var_list, ["accumulated_grad", "accumulated_delta_var"])

    def update_step(self, gradient, variable, learning_rate):
        var, ag, ad = self._views(variable, self._accumulated_grads, self._accumulated_delta_vars)
        K.adadelta_update(var, gradient.reshape(-1), ag, ad, learning_rate, self.rho, self.epsilon)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"rho": self.rho, "epsilon": self.epsilon})
        return cfg
