"""`LearningRateScheduler`: set the learning rate at the start of each epoch."""

import numpy as np

from nbkeras.callbacks._utils import get_lr, print_msg
from nbkeras.callbacks.callback import Callback


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate to `schedule(epoch, lr)` before each epoch.

    `schedule` may also take the epoch alone (`schedule(epoch)`, the Keras 1/2 form); it
    must return a float. Each epoch's rate is logged as `'learning_rate'` (so it appears
    in the history).

    Args:
        schedule: a function `(epoch, lr) -> new lr` or `(epoch) -> new lr`; epochs count
            from 0.
        verbose: 1 prints the rate set at each epoch.

    Example:
        >>> def schedule(epoch, lr):
        ...     return lr if epoch < 10 else lr * 0.9
        >>> model.fit(x, y, epochs=15, callbacks=[LearningRateScheduler(schedule)])
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def _update_optimizer_lr(self, optimizer, epoch):
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute. '
                             f"Received: optimizer={optimizer!r}")
        try:
            learning_rate = self.schedule(epoch, get_lr(optimizer))
        except TypeError:  # the one-argument form
            learning_rate = self.schedule(epoch)
        if not isinstance(learning_rate, (float, np.float32, np.float64)):
            raise ValueError("The output of the `schedule` function should be a float. "
                             f"Received: {learning_rate!r}")
        optimizer.learning_rate = learning_rate
        return learning_rate

    def on_epoch_begin(self, epoch, logs=None):
        for name, optimizer in _optimizers(self.model.optimizer):
            learning_rate = self._update_optimizer_lr(optimizer, epoch)
            if self.verbose > 0:
                which = f"{name} " if name else ""
                print_msg(f"\nEpoch {epoch + 1}: LearningRateScheduler setting {which}"
                          f"learning rate to {learning_rate}.")

    def on_epoch_end(self, epoch, logs=None):
        log_learning_rates(self.model.optimizer, logs)


def _optimizers(optimizer):
    """[(name, optimizer)]: the parts of a multi-optimizer (named), or [('', optimizer)]."""
    parts = getattr(optimizer, "optimizers", None)
    if parts is not None:
        return [(opt.name, opt) for opt in parts]
    return [("", optimizer)]


def log_learning_rates(optimizer, logs):
    """Add `'learning_rate'` (or `'learning_rate_<name>'` per sub-optimizer) to `logs`."""
    if logs is None:
        return
    for name, opt in _optimizers(optimizer):
        logs[f"learning_rate_{name}" if name else "learning_rate"] = get_lr(opt)
