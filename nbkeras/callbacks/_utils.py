"""Private helpers shared by the callbacks: messages, learning rates, file writes."""

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
