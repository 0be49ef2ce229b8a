"""`Adagrad`: per-parameter learning rates scaled by the sum of past squared gradients."""

from nbkeras.backend import kernels as K
from nbkeras.optimizers.optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad, as Keras 3 defines it: `acc += g^2`, `w -= lr * g / sqrt(acc + epsilon)`.

    Args:
        learning_rate: a float or a schedule (0.001).
        initial_accumulator_value: the starting value of the accumulators (0.1).
        epsilon: the fuzz factor (1e-7; Keras 2's None means the same).
        **kwargs: base optimizer arguments, including Keras 2's `lr` and `decay`.

    Example:
        >>> opt = nbkeras.optimizers.Adagrad(learning_rate=0.01)
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, name=None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = 1e-7 if epsilon is None else epsilon

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._accumulators = self.add_optimizer_variables(
            var_list, "accumulator", initializer=self.initial_accumulator_value)

    def update_step(self, gradient, variable, learning_rate):
        var, acc = self._views(variable, self._accumulators)
        K.adagrad_update(var, gradient.reshape(-1), acc, learning_rate, self.epsilon)

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"initial_accumulator_value": self.initial_accumulator_value,
                    "epsilon": self.epsilon})
        return cfg
