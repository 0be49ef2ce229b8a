"""Where `fit`, `evaluate` and `predict` get their batches: arrays, or datasets.

`ArrayBatches` slices arrays (shuffled per epoch when asked). `DatasetBatches` reads a
`PyDataset` (anything with `__len__` and `__getitem__`) or a Python generator /
iterator whose items are `x`, `(x, y)` or `(x, y, sample_weight)`, as Keras does.
Both give `peek()` (data to build the model and size its metrics from), `steps` (None
when unknown) and `epoch()`, which yields `(x, y, sample_weight)` batches.
"""

import math
import warnings

import numpy as np

from nbkeras.trainers import data as data_utils


def is_dataset(x):
    """Whether `x` is a PyDataset-like object, a generator or an iterator (not arrays)."""
    if x is None or isinstance(x, (np.ndarray, list, tuple, dict)) or hasattr(x, "__array__"):
        return False
    indexed = hasattr(x, "__getitem__") and hasattr(x, "__len__")
    return indexed or hasattr(x, "__next__")


class ArrayBatches:
    """Batches of arrays, in order or shuffled each epoch."""

    exhausted = False  # arrays never run out
    def __init__(self, x, y, sample_weight, batch_size, shuffle=False, steps=None):
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.n = len(data_utils.flat(x)[0])
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.steps = max(1, math.ceil(self.n / batch_size)) if steps is None else int(steps)
        self._range = None  # np.arange(n), made at the first shuffled epoch

    def peek(self):
        return self.x, self.y

    def epoch(self):
        if self.steps == 1 and not self.shuffle and self.n <= self.batch_size:
            yield self.x, self.y, self.sample_weight  # all of it: one batch, nothing to slice
            return
        x, y, sw, size, n = self.x, self.y, self.sample_weight, self.batch_size, max(self.n, 1)
        if self.shuffle:
            # `np.random.permutation(n)` is `shuffle(arange(n))`: the same draws, without
            # building the range each epoch.
            if self._range is None:
                self._range = np.arange(self.n)
            order = self._range.copy()
            np.random.shuffle(order)
            gather = _gatherers(x, y, sw)
            for step in range(self.steps):
                lo = (step * size) % n
                idx = order[lo:lo + size]
                yield gather[0](x, idx), gather[1](y, idx), gather[2](sw, idx)
            return
        for step in range(self.steps):
            lo = (step * size) % n
            idx = slice(lo, lo + size)
            yield data_utils.take(x, idx), data_utils.take(y, idx), data_utils.take(sw, idx)

    def on_epoch_end(self):
        pass


def _gatherers(*parts):
    """For each part (an array, arrays, or None), a function taking its rows `idx` (an index
    array), as `data_utils.take` does: `ndarray.take` straight on a plain array."""
    return [_take_rows if type(p) is np.ndarray and p.ndim else data_utils.take for p in parts]


def _take_rows(a, idx):
    return a.take(idx, axis=0)


class DatasetBatches:
    """Batches from a PyDataset or a generator; `class_weight` turns into sample weights."""

    def __init__(self, data, steps=None, shuffle=False, class_weight=None, name="x", check=None):
        self.data = data
        self.name = name
        self.check = check  # check(x, y, sample_weight, batch_index) raises on a bad batch
        self.shuffle = shuffle
        self.class_weight = class_weight
        self.exhausted = False
        self._indexed = not hasattr(data, "__next__")
        if self._indexed:
            size = len(data)
            self.steps = int(steps) if steps is not None else size
            if size == 0:
                raise ValueError(f"The dataset `{name}` is empty. Received: len({name})=0")
            self._first = self._convert(data[0], 0)
        else:
            self.steps = None if steps is None else int(steps)
            try:
                self._first = self._convert(next(data), 0)
            except StopIteration:
                raise ValueError(f"The generator `{name}` yielded no batch.") from None
            self._pending = True

    def _convert(self, batch, index):
        x, y, sw, _ = data_utils.standardize(*data_utils.unpack_x_y_sample_weight(batch),
                                             (self.name, "y", "sample_weight"))
        if self.check is not None:
            self.check(x, y, sw, index)
        if y is not None:
            sw = data_utils.apply_class_weight(y, sw, self.class_weight)
        return x, y, sw

    def peek(self):
        return self._first[0], self._first[1]

    def epoch(self):
        if self._indexed:
            size = len(self.data)
            order = np.random.permutation(size) if self.shuffle else np.arange(size)
            if hasattr(self.data, "on_epoch_begin"):
                self.data.on_epoch_begin()
            for step in range(self.steps):
                yield self._convert(self.data[int(order[step % size])], step)
            return
        count = 0
        while self.steps is None or count < self.steps:
            if self._pending:
                batch, self._pending = self._first, False
            else:
                try:
                    batch = self._convert(next(self.data), count)
                except StopIteration:
                    if count == 0 or self.steps is not None:
                        self.exhausted = True
                        warnings.warn(
                            "Your input ran out of data; interrupting training. Make sure that "
                            "your dataset or generator can generate at least `steps_per_epoch * "
                            "epochs` batches. You may need to use a repeating generator.",
                            stacklevel=2)
                    return
            count += 1
            yield batch

    def on_epoch_end(self):
        if self._indexed and hasattr(self.data, "on_epoch_end"):
            self.data.on_epoch_end()
