"""`ModelCheckpoint`: save the model (or its weights) during training."""

import os
import warnings

import numpy as np

from nbkeras.callbacks._utils import path_to_string, print_msg, save_due
from nbkeras.callbacks.monitor_callback import MonitorCallback

_MODEL_SUFFIXES = (".keras", ".h5", ".hdf5")


class ModelCheckpoint(MonitorCallback):
    """Save the model or its weights every epoch (or every `save_freq` batches).

    `filepath` may hold `{epoch}` (counted from 1), `{batch}` (with an integer `save_freq`)
    and any logged key, with Python format specs: `'weights.{epoch:02d}-{val_loss:.2f}.keras'`.
    `model.save` and `model.save_weights` write atomically (a temporary file renamed into
    place), so a process killed mid-save never leaves a broken checkpoint behind.

    Args:
        filepath: where to save. Full models: `.keras`, or the legacy HDF5 `.h5`/`.hdf5`;
            with `save_weights_only`: `.weights.h5`.
        monitor: the logged quantity `save_best_only` watches (`'val_loss'`).
        verbose: 1 prints a message for each save.
        save_best_only: save only when `monitor` improves on the best so far (a fixed
            `filepath` then always holds the best model).
        save_weights_only: save with `model.save_weights` instead of `model.save`.
        mode: `'auto'`, `'min'` or `'max'`.
        save_freq: `'epoch'`, or save every this many batches.
        initial_value_threshold: with `save_best_only`, the value to beat first.

    Example:
        >>> checkpoint = ModelCheckpoint("weights.{epoch:02d}-{val_loss:.2f}.keras",
        ...                              monitor="val_loss", save_best_only=True)
        >>> model.fit(x, y, validation_split=0.2, epochs=10, callbacks=[checkpoint])
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = path_to_string(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = None
        self._current_epoch = 0
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int)):
            raise ValueError(f"Unrecognized save_freq: {save_freq}. Expected save_freq are "
                             f"'epoch' or integer values. Received: save_freq={save_freq!r}")
        name = str(self.filepath)
        if save_weights_only and not name.endswith(".weights.h5"):
            raise ValueError("When using `save_weights_only=True` in `ModelCheckpoint`, the "
                             "filepath provided must end in `.weights.h5` (Keras weights "
                             f"format). Received: filepath={self.filepath}")
        if not save_weights_only and not name.endswith(_MODEL_SUFFIXES):
            raise ValueError("The filepath provided must end in `.keras` (Keras model format), "
                             f"or `.h5`/`.hdf5` (legacy HDF5). Received: filepath={self.filepath}")

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if save_due(self, batch):
            self._save_model(epoch=self._current_epoch, batch=batch, logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.save_freq == "epoch":
            self._save_model(epoch=epoch, batch=None, logs=logs)

    def _should_save_model(self, epoch, batch, logs, filepath):
        logs = logs or {}
        if not self.save_best_only:
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.",
                          stacklevel=2)
            return True
        if np.ndim(current) > 0:
            warnings.warn("Can save best model only when `monitor` is a scalar value. "
                          f"Received: {current}. Falling back to `save_best_only=False`.")
            return True
        if self.monitor_op is None:  # a batch-level save before the first epoch ended
            self._set_monitor_op()
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                          f"{current:.5f}, saving model to {filepath}")
            self.best = current
            return True
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        return False

    def _save_model(self, epoch, batch, logs):
        filepath = self._get_file_path(epoch, batch, logs)
        if not self._should_save_model(epoch, batch, logs, filepath):
            return
        if os.path.isdir(filepath):
            raise IOError("Please specify a non-directory filepath for ModelCheckpoint. "
                          f"Filepath used is an existing directory. Received: filepath={filepath}")
        folder = os.path.dirname(filepath)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")

    def _get_file_path(self, epoch, batch, logs):
        logs = logs or {}
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as e:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". '
                           f"Reason: {e}. Received: logs keys {sorted(logs)}") from None
