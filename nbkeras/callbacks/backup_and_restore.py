"""`BackupAndRestore`: resume an interrupted `fit` where it left off."""

import json
import os
import re
import shutil

from nbkeras.callbacks._utils import path_to_string, save_due, write_json_atomically
from nbkeras.callbacks.callback import Callback

_METADATA = "training_metadata.json"
_WEIGHTS = re.compile(r"^backup-(\d+)\.weights\.h5$")


class BackupAndRestore(Callback):
    """Back up the training state during `fit`; a later `fit` restores it and carries on.

    At the end of every epoch (or every `save_freq` batches) the weights, optimizer state
    included, and the number of finished epochs are saved in `backup_dir`. When `fit` starts
    and a backup exists, the weights are loaded and training resumes at the first unfinished
    epoch, so an interrupted run, once resumed, ends with the weights of an uninterrupted one
    (given the same data order: `shuffle=False`, and no randomness such as Dropout). When
    `fit` completes, the backup is deleted (not when it is stopped by Ctrl-C or an error).

    The save is crash safe: the weights go to a new file first, then a small JSON file naming
    them is renamed into place, so a process killed at any moment leaves a usable backup.

    Args:
        backup_dir: a folder for this run's backup only.
        save_freq: `'epoch'`, or back up every this many batches (training then resumes
            at the start of the epoch in progress, from the weights of the last backup, as
            Keras does).
        double_checkpoint: also keep the previous backup, used if the latest cannot be read.
        delete_checkpoint: delete the backup when `fit` completes (True).

    Example:
        >>> backup = nbkeras.callbacks.BackupAndRestore(backup_dir="/tmp/backup")
        >>> model.fit(x, y, epochs=10, callbacks=[backup])  # interrupted at epoch 4
        >>> model.fit(x, y, epochs=10, callbacks=[backup])  # runs epochs 5 to 10 only
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False,
                 delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed. "
                             f"Received: backup_dir={backup_dir!r}")
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int)):
            raise ValueError("Invalid value for argument `save_freq`. Expected either 'epoch' or "
                             f"an integer value. Received: save_freq={save_freq}")
        self.backup_dir = path_to_string(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0
        self._metadata_path = os.path.join(self.backup_dir, _METADATA)

    # ------------------------------------------------------------ restore
    def on_train_begin(self, logs=None):
        self._current_epoch = 0
        self._last_batch_seen = 0
        self._batches_seen_since_last_saving = 0
        metadata = self._read_metadata()
        if metadata is None:
            return
        states = [metadata] + ([metadata["previous"]] if metadata.get("previous") else [])
        for i, state in enumerate(states):
            try:
                self._restore(state)
                return
            except (OSError, ValueError):  # unreadable (nbkeras names the file in a ValueError)
                if i == len(states) - 1:
                    raise

    def _read_metadata(self):
        if not os.path.exists(self._metadata_path):
            return None
        with open(self._metadata_path) as f:
            return json.load(f)

    def _restore(self, state):
        model = self.model
        if not model.built:
            raise ValueError("To use the BackupAndRestore callback, your model must be built "
                             f"before you call `fit()`. Received: model={model!r} (unbuilt)")
        weights = state.get("weights")
        if weights:
            optimizer = getattr(model, "optimizer", None)
            if optimizer is not None and not optimizer.built:
                optimizer.build(model.trainable_variables)  # slots must exist to be loaded
            model.load_weights(os.path.join(self.backup_dir, weights))
        model._initial_epoch = int(state["epoch"])
        self._current_epoch = int(state["epoch"])

    # ------------------------------------------------------------- backup
    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save_model()

    def on_train_batch_end(self, batch, logs=None):
        if save_due(self, batch):
            self._save_model()

    def _save_model(self):
        os.makedirs(self.backup_dir, exist_ok=True)
        old = self._read_metadata() or {}
        previous = (old.get("previous") or {}).get("weights")
        number = max(_number(old.get("weights")), _number(previous)) + 1
        name = f"backup-{number}.weights.h5"
        self.model.save_weights(os.path.join(self.backup_dir, name), overwrite=True)
        metadata = {"epoch": self._current_epoch, "batch": self._last_batch_seen, "weights": name}
        if self.double_checkpoint and old.get("weights"):
            metadata["previous"] = {k: old[k] for k in ("epoch", "batch", "weights") if k in old}
        write_json_atomically(self._metadata_path, metadata)
        keep = {name, (metadata.get("previous") or {}).get("weights")}
        for stale in os.listdir(self.backup_dir):
            if _WEIGHTS.match(stale) and stale not in keep:
                os.remove(os.path.join(self.backup_dir, stale))

    def on_train_end(self, logs=None):
        history = getattr(self.model, "history", None)
        if getattr(history, "interrupted", False):
            return  # stopped by Ctrl-C: keep the backup to resume from
        if self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)


def _number(name):
    match = _WEIGHTS.match(name or "")
    return int(match.group(1)) if match else 0

