"""`CSVLogger`: write each epoch's logs as a row of a CSV file."""

import collections.abc
import csv
import os

import numpy as np

from nbkeras.callbacks._utils import path_to_string
from nbkeras.callbacks.callback import Callback


class CSVLogger(Callback):
    """Stream the epoch results to a CSV file: a header `epoch,<sorted keys>`, then a row per epoch.

    When the first epoch has no `val_` keys, `val_<key>` columns are added anyway (filled
    with `NA`), as Keras does. 1-D values are written as `"[a, b]"`.

    Args:
        filename: the CSV file (`'run/log.csv'`).
        separator: the field separator (`,`).
        append: append to an existing file (the header is written only to an empty file),
            e.g. when continuing training; False overwrites it.

    Example:
        >>> model.fit(x, y, epochs=5, callbacks=[nbkeras.callbacks.CSVLogger("training.log")])
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.sep = separator
        self.filename = path_to_string(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename, "r") as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        else:
            mode = "w"
        if self.csv_file and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, mode, newline="")
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys.extend(f"val_{k}" for k in list(self.keys))
        if not self.writer:
            class Dialect(csv.excel):
                delimiter = self.sep

            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys,
                                         dialect=Dialect)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _cell(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None


def _cell(value):
    if isinstance(value, str):
        return value
    if isinstance(value, collections.abc.Iterable) and not (
            isinstance(value, np.ndarray) and value.ndim == 0):
        return f'"[{", ".join(map(str, value))}]"'
    return value
