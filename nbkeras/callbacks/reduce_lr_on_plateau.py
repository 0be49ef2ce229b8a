"""`ReduceLROnPlateau`: lower the learning rate when a monitored quantity stalls."""

import warnings

import numpy as np

from nbkeras.callbacks._utils import get_lr, print_msg
from nbkeras.callbacks.learning_rate_scheduler import _optimizers, log_learning_rates
from nbkeras.callbacks.monitor_callback import MonitorCallback


class ReduceLROnPlateau(MonitorCallback):
    """Multiply the learning rate by `factor` after `patience` epochs without improvement.

    Each epoch's rate is logged as `'learning_rate'` (so it appears in the history).

    Args:
        monitor: the logged quantity to watch (`'val_loss'`).
        factor: the multiplier, below 1 (`new_lr = lr * factor`).
        patience: epochs without improvement before a reduction.
        verbose: 1 prints each reduction.
        mode: `'auto'`, `'min'` or `'max'`.
        min_delta: the smallest change that counts as an improvement (1e-4).
        cooldown: epochs to wait after a reduction before counting again.
        min_lr: the rate never goes below this.
        epsilon: Keras 2 name of `min_delta`.

    Example:
        >>> reduce_lr = ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=5,
        ...                               min_lr=0.001)
        >>> model.fit(x, y, validation_split=0.2, callbacks=[reduce_lr])
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        if "epsilon" in kwargs:
            min_delta = kwargs.pop("epsilon")
            warnings.warn("`epsilon` argument is deprecated, use `min_delta` instead.",
                          stacklevel=2)
        if kwargs:
            warnings.warn(f"ReduceLROnPlateau ignores the unknown argument(s) {sorted(kwargs)}.",
                          stacklevel=2)
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0. "
                             f"Received: factor={factor}")
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self):
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs if logs is not None else {}
        log_learning_rates(self.model.optimizer, logs)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Learning rate reduction is conditioned on metric `{self.monitor}` "
                          f"which is not available. Available metrics are: {','.join(logs)}.",
                          stacklevel=2)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                reduced = False
                for name, optimizer in _optimizers(self.model.optimizer):
                    reduced = self._reduce(optimizer, epoch, name) or reduced
                if reduced:
                    self.cooldown_counter = self.cooldown
                    self.wait = 0

    def _reduce(self, optimizer, epoch, name):
        old_lr = get_lr(optimizer)
        if old_lr <= np.float32(self.min_lr):
            return False
        new_lr = max(old_lr * self.factor, self.min_lr)
        optimizer.learning_rate = new_lr
        if self.verbose > 0:
            which = f" {name}" if name else ""
            print_msg(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing{which} learning rate "
                      f"to {new_lr}.")
        return True
