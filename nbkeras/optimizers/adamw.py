"""`AdamW`: Adam with decoupled weight decay."""

from nbkeras.optimizers.adam import Adam


class AdamW(Adam):
    """Adam with decoupled weight decay (`w -= w * weight_decay * lr` before each Adam step).

    Args:
        learning_rate: a float or a schedule (0.001).
        weight_decay: the decay factor (0.004); must not be None.
        beta_1: decay of the first moment (0.9).
        beta_2: decay of the second moment (0.999).
        epsilon: the fuzz factor (1e-7; Keras 2's None means the same).
        amsgrad: whether to use the maximum of past second moments.
        **kwargs: base optimizer arguments, including Keras 2's `lr` and `decay`.

    Example:
        >>> model.compile(optimizer=nbkeras.optimizers.AdamW(learning_rate=1e-3), loss="mse")
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, name=name, weight_decay=weight_decay,
                         **kwargs)
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")
