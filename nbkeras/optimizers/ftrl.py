"""`Ftrl`: Follow The Regularized Leader, with L1, L2 and L2-shrinkage regularization."""

from nbkeras.backend import kernels as K
from nbkeras.optimizers.optimizer import Optimizer

_NON_NEGATIVE = ("initial_accumulator_value", "l1_regularization_strength",
                 "l2_regularization_strength", "l2_shrinkage_regularization_strength")


class Ftrl(Optimizer):
    """FTRL-proximal, as Keras 3 defines it. With p = -learning_rate_power, n the accumulator
    and z the linear term:

    `n' = n + g^2`, `z += g + 2 * l2_shrinkage * w - (n'^p - n^p) / lr * w`,
    `w = (clip(z, -l1, l1) - z) / (n'^p / lr + 2 * (l2 + beta / (2 * lr)))`.

    Args:
        learning_rate: a float or a schedule (0.001).
        learning_rate_power: how the rate shrinks as the accumulator grows (-0.5); <= 0.
        initial_accumulator_value: the starting accumulator (0.1); >= 0.
        l1_regularization_strength: L1 strength (0.0); >= 0.
        l2_regularization_strength: stabilization L2 strength (0.0); >= 0.
        l2_shrinkage_regularization_strength: magnitude-penalty L2 strength (0.0); >= 0.
        beta: added to the L2 strength as beta / (2 * lr) (0.0).
        **kwargs: base optimizer arguments, including Keras 2's `lr` and `decay`.

    Example:
        >>> opt = nbkeras.optimizers.Ftrl(learning_rate=0.1, l1_regularization_strength=0.01)
    """

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        values = dict(zip(_NON_NEGATIVE, (initial_accumulator_value, l1_regularization_strength,
                                          l2_regularization_strength,
                                          l2_shrinkage_regularization_strength)))
        if learning_rate_power > 0.0:
            raise ValueError("`learning_rate_power` must be negative or zero. "
                             f"Received: learning_rate_power={learning_rate_power}")
        for key, value in values.items():
            if value < 0.0:
                raise ValueError(f"`{key}` must be positive or zero. Received: {key}={value}")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._accumulators, self._linears = self.add_optimizer_variables(
            var_list, ["accumulator", "linear"],
            initializer=[self.initial_accumulator_value, "zeros"])

    def _update(self, grads, variables, lr):
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        scalars = (lr, -self.learning_rate_power, self.l1_regularization_strength, 2.0 * l2,
                   2.0 * self.l2_shrinkage_regularization_strength)
        for g, v in zip(grads, variables):
            var, accum, linear = self._views(v, self._accumulators, self._linears)
            # in the variable's dtype: the linear term is a difference of large numbers
            K.ftrl_update(var, g.reshape(-1), accum, linear, *map(v.dtype.type, scalars))

    def get_config(self):
        cfg = super().get_config()
        cfg.update({
            "learning_rate_power": self.learning_rate_power,
            "initial_accumulator_value": self.initial_accumulator_value,
            "l1_regularization_strength": self.l1_regularization_strength,
            "l2_regularization_strength": self.l2_regularization_strength,
            "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
            "beta": self.beta,
        })
        return cfg
