"""`Nadam`: Adam with Nesterov momentum, in Keras 3's momentum-cache formulation."""

import numpy as np

from nbkeras.backend import kernels as K
from nbkeras.optimizers.optimizer import Optimizer


class Nadam(Optimizer):
    """Nadam, as Keras 3 defines it. With t = iterations + 1 and
    u_t = beta_1 * (1 - 0.5 * 0.96^t), the variable `u_product` holds u_1 * ... * u_t; then

    `m_hat = u_{t+1} * m / (1 - u_product * u_{t+1}) + (1 - u_t) * g / (1 - u_product)`,
    `w -= lr * m_hat / (sqrt(v / (1 - beta_2^t)) + epsilon)` (m, v updated as in Adam).

    Args:
        learning_rate: a float or a schedule (0.001).
        beta_1: decay of the first moment (0.9).
        beta_2: decay of the second moment (0.999).
        epsilon: the fuzz factor (1e-7; Keras 2's None means the same).
        **kwargs: base optimizer arguments, including Keras 2's `lr` and `decay`.

    Example:
        >>> opt = nbkeras.optimizers.Nadam(learning_rate=0.002)
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
        var_list = list(var_list)
        dtype = var_list[0].dtype if var_list else np.dtype("float32")
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])
        # Keras creates this one outside the optimizer's name scope, unnamed.
        self._u_product = self._new_variable("variable", np.ones((), dtype), path="variable")

    def _update(self, grads, variables, lr):
        t = float(self._step() + 1)
        u_t = self.beta_1 * (1.0 - 0.5 * 0.96 ** t)
        u_next = self.beta_1 * (1.0 - 0.5 * 0.96 ** (t + 1.0))
        u_product = self._u_product.data.dtype.type(float(self._u_product.data) * u_t)
        self._u_product.data[...] = u_product
        u_product = float(u_product)
        c_m = u_next / (1.0 - u_product * u_next)
        c_g = (1.0 - u_t) / (1.0 - u_product)
        c_v = 1.0 / (1.0 - self.beta_2 ** t)
        for g, v in zip(grads, variables):
            var, m, vel = self._views(v, self._momentums, self._velocities)
            K.nadam_update(var, g.reshape(-1), m, vel, lr, self.beta_1, self.beta_2, self.epsilon,
                           c_m, c_g, c_v)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return cfg
