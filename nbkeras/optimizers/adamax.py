"""`Adamax`: Adam with the infinity norm in place of the second moment."""

from nbkeras.backend import kernels as K
from nbkeras.optimizers.optimizer import Optimizer


class Adamax(Optimizer):
    """Adamax, as Keras 3 defines it. With t = iterations + 1:

    `m += (g - m) * (1 - beta_1)`, `u = max(beta_2 * u, |g|)`,
    `w -= lr * m / ((1 - beta_1^t) * (u + epsilon))`.

    Args:
        learning_rate: a float or a schedule (0.001).
        beta_1: decay of the first moment (0.9).
        beta_2: decay of the infinity norm (0.999).
        epsilon: the fuzz factor (1e-7; Keras 2's None means the same).
        **kwargs: base optimizer arguments, including Keras 2's `lr` and `decay`.

    Example:
        >>> opt = nbkeras.optimizers.Adamax(learning_rate=0.002)
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, name=None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = 1e-7 if epsilon is None else epsilon

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._m, self._u = self.add_optimizer_variables(var_list, ["momentum", "norm"])

    def _update(self, grads, variables, lr):
        bias = 1.0 - self.beta_1 ** float(self._step() + 1)
        for g, v in zip(grads, variables):
            var, m, u = self._views(v, self._m, self._u)
            K.adamax_update(var, g.reshape(-1), m, u, lr, bias, self.beta_1, self.beta_2,
                            self.epsilon)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return cfg
