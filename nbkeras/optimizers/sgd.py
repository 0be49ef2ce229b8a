"""`SGD`: gradient descent with optional (Nesterov) momentum."""

from nbkeras.backend import kernels as K
from nbkeras.optimizers.optimizer import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent, with momentum as Keras 3 defines it.

    `m = momentum * m - lr * g`, then `w += m` (or `w += momentum * m - lr * g`
    with Nesterov); without momentum, `w -= lr * g`.

    Args:
        learning_rate: a float or a schedule (0.01).
        momentum: the momentum factor (0.0).
        nesterov: whether to use Nesterov momentum.
        **kwargs: base optimizer arguments, including Keras 2's `lr` and `decay`.

    Example:
        >>> model.compile(optimizer=nbkeras.optimizers.SGD(lr=0.01, momentum=0.9), loss="mse")
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if not 0 <= momentum <= 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: momentum={momentum}")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self.momentums = self._add_slots(var_list, "momentum") if self.momentum else []

    def update_step(self, gradient, variable, learning_rate):
        flat_v, m = self._views(variable, self.momentums)
        scalars = self._rule_scalars(flat_v.dtype.type, learning_rate)
        if self.momentum:
            K.sgd_momentum_update(flat_v, gradient.reshape(-1), m, *scalars, self.nesterov)
        else:
            K.sgd_update(flat_v, gradient.reshape(-1), *scalars)

    def _rule_scalars(self, dt, learning_rate):
        """The update kernel's scalars, in the variables' dtype `dt`."""
        if self.momentum:
            return dt(learning_rate), dt(self.momentum)
        return (dt(learning_rate),)

    def _fused_rule(self):
        """(the update rule's name, its flag, its slot lists) for the fused training step."""
        if self.momentum:
            return "sgd_momentum", self.nesterov, (self.momentums,)
        return "sgd", False, ()

    def get_config(self):
        cfg = super().get_config()
        cfg.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return cfg
