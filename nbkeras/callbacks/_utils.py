"""Private helpers shared by the callbacks: messages, learning rates, save frequency, file
writes."""

import json
import os
import sys

import numpy as np

from nbkeras.ops.core import unwrap


def print_msg(message):
    """Write one message line to stdout, as Keras's `io_utils.print_msg` does."""
    sys.stdout.write(f"{message}\n")
    sys.stdout.flush()


def get_lr(optimizer):
    """The optimizer's current learning rate as a Python float."""
    return float(np.asarray(unwrap(optimizer.learning_rate), dtype=np.float64))


def save_due(callback, batch):
    """Whether `callback`, saving every `callback.save_freq` batches (or each epoch, when it
    is 'epoch'), saves after `batch`, the index of the batch in its epoch. The count lives
    on the callback: `_last_batch_seen` (None or 0 before the first batch) and
    `_batches_seen_since_last_saving`.

    Example:
        >>> save_due(checkpoint, batch)  # in on_train_batch_end
        True
    """
    if callback.save_freq == "epoch":
        return False
    last = callback._last_batch_seen
    # batch <= last: a new epoch began
    added = batch + 1 if last is None or batch <= last else batch - last
    callback._batches_seen_since_last_saving += added
    callback._last_batch_seen = batch
    if callback._batches_seen_since_last_saving >= callback.save_freq:
        callback._batches_seen_since_last_saving = 0
        return True
    return False


def path_to_string(path):
    return os.fspath(path) if isinstance(path, os.PathLike) else path


def write_json_atomically(path, data):
    """Write `data` as JSON to a temporary file, then rename it onto `path` in one step."""
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w") as f:
            json.dump(data, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.lexists(tmp):
            os.remove(tmp)
