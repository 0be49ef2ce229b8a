"""`PyDataset` (Keras 2's `Sequence`): a dataset that hands out whole batches by index."""


class PyDataset:
    """Base class for datasets that `fit`, `evaluate` and `predict` read batch by batch.

    Subclasses implement `__len__` (the number of batches) and `__getitem__(index)`,
    which returns a batch: `x`, `(x, y)` or `(x, y, sample_weight)`. `on_epoch_end`
    runs after every epoch (shuffle there). Batches are loaded in the training
    process, one at a time; `workers`, `use_multiprocessing` and `max_queue_size`
    are accepted for Keras compatibility.

    Args:
        workers: accepted (batches load in the main thread).
        use_multiprocessing: accepted.
        max_queue_size: accepted.

    Example:
        >>> class Batches(nbkeras.utils.PyDataset):
        ...     def __init__(self, x, y, batch_size, **kwargs):
        ...         super().__init__(**kwargs)
        ...         self.x, self.y, self.batch_size = x, y, batch_size
        ...     def __len__(self):
        ...         return -(-len(self.x) // self.batch_size)
        ...     def __getitem__(self, i):
        ...         s = slice(i * self.batch_size, (i + 1) * self.batch_size)
        ...         return self.x[s], self.y[s]
        >>> model.fit(Batches(x, y, 32), epochs=3)
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    @property
    def workers(self):
        return getattr(self, "_workers", 1)

    @property
    def use_multiprocessing(self):
        return getattr(self, "_use_multiprocessing", False)

    @property
    def max_queue_size(self):
        return getattr(self, "_max_queue_size", 10)

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement `__getitem__`.")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement `__len__`.")

    @property
    def num_batches(self):
        """The number of batches (`len(self)`)."""
        return len(self)

    def on_epoch_begin(self):
        """Called before each epoch."""

    def on_epoch_end(self):
        """Called after each epoch."""


Sequence = PyDataset
